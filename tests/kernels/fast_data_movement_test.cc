// The fast data-movement kernels (kernels/fast/: Transpose, Pad/PadV2,
// ConcatV2, ResizeBilinear, ResizeNearestNeighbor) against the reference
// kernels, bit for bit: they move the same elements and compute the same
// float expressions, so no tolerance applies. Shapes cover size-1 dims, odd
// sizes around the 8x8 tile, negative axes and perm entries, every
// align_corners / half_pixel_centers combination, and tensors large enough
// (>= 128 KiB) to take the multi-threaded path (the tests run 2 threads).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

ir::ValueId int_matrix(GraphCase& g, const std::string& name, const std::vector<int32_t>& values, int64_t columns) {
  return g.graph().add_constant(name, DType::kI32, {static_cast<int64_t>(values.size()) / columns, columns},
                                ConstBytes::copy_of(values.data(), values.size() * sizeof(int32_t)));
}

ir::ValueId float_scalar(GraphCase& g, const std::string& name, float value) {
  return g.graph().add_constant(name, DType::kF32, {}, ConstBytes::copy_of(&value, sizeof(float)));
}

TEST(FastTranspose, PermsAndShapes) {
  struct TransposeCase {
    Shape input;
    std::vector<int32_t> perm;
  };
  const TransposeCase cases[] = {
      {{1, 3, 16, 16}, {0, 2, 3, 1}},     // NCHW -> NHWC
      {{2, 16, 16, 3}, {0, 3, 1, 2}},     // NHWC -> NCHW
      {{1, 32, 52, 52}, {0, 2, 3, 1}},    // nanodet-sized, multi-threaded
      {{1, 52, 52, 32}, {0, 3, 1, 2}},    // and back
      {{2, 4, 33, 17}, {0, 2, 3, 1}},     // 4 channels out: the narrow path
      {{3, 2, 50, 51}, {0, 2, 3, 1}},     // 2 channels out
      {{2, 3, 300, 300}, {0, 2, 3, 1}},   // an RGB image, multi-threaded
      {{3, 5, 7}, {2, 1, 0}},             // 3 columns, but not dense rows: the tiled path
      {{3, 7, 9, 5}, {0, 2, 3, 1}},       // odd everywhere: edge tiles only
      {{2, 17, 9, 15}, {0, 3, 1, 2}},     // 8x8 tiles plus edges
      {{1, 8, 8, 8}, {0, 2, 3, 1}},       // exactly one tile per plane
      {{1, 1, 1, 1}, {0, 2, 3, 1}},       // nothing moves
      {{4, 1, 5, 1}, {3, 2, 1, 0}},       // size-1 dims dropped
      {{33, 65}, {1, 0}},                 // 2-D, blocks plus edges
      {{1000, 300}, {1, 0}},              // 2-D, large
      {{6, 5, 4}, {2, 1, 0}},             // the swapped axes are not adjacent
      {{6, 5, 4}, {1, 0, 2}},             // innermost axis stays: row copies
      {{64, 128, 16}, {1, 0, 2}},         // row copies, multi-threaded
      {{6, 5, 4}, {0, 1, 2}},             // identity
      {{4, 3, 5, 2, 3}, {4, 0, 3, 1, 2}}, // rank 5
      {{2, 3, 4, 5, 6, 7}, {5, 3, 1, 0, 2, 4}},
      {{11}, {0}},                        // rank 1
      {{2, 9, 10, 3}, {0, -2, -1, 1}},    // negative perm entries
      {{3, 4, 5}, {-1, 0, -2}},
      {{5, 0, 3}, {2, 1, 0}},             // empty
      {{1, 64, 72, 2, 2}, {0, 1, 3, 2, 4}},  // rows of 2 floats: the unrolled gather, multi-threaded
      {{3, 5, 7, 3}, {0, 2, 1, 3}},       // rows of 3
      {{2, 6, 4, 8}, {1, 0, 2, 3}},       // rows of 8
  };
  uint32_t seed = 1;
  for (const TransposeCase& c : cases) {
    GraphCase g(seed++);
    ir::ValueId x = g.input("x", c.input);
    ir::ValueId perm = g.int_constant("perm", c.perm);
    g.node("y", "Transpose", {x, perm});
    expect_bit_exact(g, "transpose_f32_fast", shape_string(c.input) + " perm " + fmt::format("{}", fmt::join(c.perm, ",")));
  }
}

// DepthToSpace / SpaceToDepth as the transpose of a 5-D view: channel counts
// giving short rows (1, 2: selfie's and meet's upsampling heads) and long.
TEST(FastDepthToSpace, BlocksAndChannels) {
  struct Case {
    Shape space;  // the DepthToSpace output, the SpaceToDepth input
    int64_t block;
  };
  const Case cases[] = {{{1, 256, 144, 1}, 2}, {{1, 256, 144, 2}, 2}, {{2, 12, 18, 3}, 3},
                        {{1, 32, 32, 256}, 2}, {{2, 8, 4, 5}, 4},     {{1, 2, 2, 7}, 2}};
  uint32_t seed = 40;
  for (const Case& c : cases) {
    const Shape depth = {c.space[0], c.space[1] / c.block, c.space[2] / c.block, c.space[3] * c.block * c.block};
    ir::AttrMap attrs;
    attrs.set("block_size", c.block);
    GraphCase to_space(seed++);
    to_space.node("y", "DepthToSpace", {to_space.input("x", depth)}, attrs);
    expect_bit_exact(to_space, "depth_to_space_f32_fast", "DepthToSpace " + shape_string(depth));
    GraphCase to_depth(seed++);
    to_depth.node("y", "SpaceToDepth", {to_depth.input("x", c.space)}, attrs);
    expect_bit_exact(to_depth, "space_to_depth_f32_fast", "SpaceToDepth " + shape_string(c.space));
  }
}

// A node the fast kernels do not take: make_fast_kernel declines (null), so
// the node keeps its reference kernel.
bool fast_kernel_declines(const std::string& op, DType dtype, const Shape& input, const Shape& output,
                          const std::vector<int32_t>& second_input, ir::AttrMap attrs = {}) {
  ir::Graph graph;
  ir::ValueId x = graph.add_input("x", dtype, input);
  ir::ValueId constant = graph.add_constant("c", DType::kI32, {static_cast<int64_t>(second_input.size())},
                                            ConstBytes::copy_of(second_input.data(), second_input.size() * 4));
  ir::NodeId node = graph.add_node("y", op, {x, constant}, 1, std::move(attrs));
  ir::Value& y = graph.values[graph.nodes[node].outputs[0]];
  y.dtype = dtype;
  y.shape = output;
  kernels::KernelContext context(graph, graph.nodes[node]);
  auto kernel = kernels::make_fast_kernel(context, kernels::KernelOptions{});
  return kernel && *kernel == nullptr;
}

TEST(FastKernels, DeclineWhatTheyDoNotTake) {
  EXPECT_TRUE(fast_kernel_declines("Transpose", DType::kI32, {2, 3, 4, 5}, {2, 4, 5, 3}, {0, 2, 3, 1}));
  EXPECT_TRUE(fast_kernel_declines("Transpose", DType::kF64, {2, 3}, {3, 2}, {1, 0}));
  EXPECT_TRUE(fast_kernel_declines("Pad", DType::kI32, {2, 3}, {4, 3}, {1, 1, 0, 0}));
  ir::AttrMap reflect;
  reflect.set("mode", std::string("REFLECT"));
  EXPECT_TRUE(fast_kernel_declines("MirrorPad", DType::kF32, {4, 5}, {6, 5}, {1, 1, 0, 0}, reflect));
  EXPECT_TRUE(fast_kernel_declines("ResizeNearestNeighbor", DType::kI32, {1, 4, 4, 2}, {1, 8, 8, 2}, {8, 8}));
  // The same shapes in float32 are taken.
  EXPECT_FALSE(fast_kernel_declines("Transpose", DType::kF32, {2, 3, 4, 5}, {2, 4, 5, 3}, {0, 2, 3, 1}));
  EXPECT_FALSE(fast_kernel_declines("ResizeNearestNeighbor", DType::kF32, {1, 4, 4, 2}, {1, 8, 8, 2}, {8, 8}));
}

TEST(FastPad, PaddingsAndShapes) {
  struct PadCase {
    Shape input;
    std::vector<int32_t> paddings;
  };
  const PadCase cases[] = {
      {{1, 3, 16, 16}, {0, 0, 0, 0, 1, 1, 1, 1}},      // NCHW, H and W
      {{2, 16, 16, 3}, {0, 0, 1, 2, 2, 1, 0, 0}},      // NHWC, asymmetric
      {{1, 32, 208, 208}, {0, 0, 0, 0, 1, 1, 1, 1}},   // nanodet-sized, multi-threaded
      {{2, 64, 64, 24}, {0, 0, 0, 1, 0, 1, 0, 0}},     // TF's SAME-padding shape, multi-threaded
      {{3, 5, 7, 9}, {1, 2, 0, 3, 2, 0, 1, 1}},        // every axis, odd sizes
      {{1, 5, 5, 8}, {0, 0, 0, 0, 0, 0, 0, 8}},        // channels only
      {{4, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 0, 0}},        // size-1 dims
      {{2, 3}, {0, 0, 0, 0}},                          // nothing padded
      {{2, 3}, {3, 1, 0, 0}},                          // outermost axis only
      {{7}, {2, 5}},                                   // rank 1
      {{2, 3, 4, 5, 6}, {1, 0, 0, 2, 1, 1, 0, 0, 2, 1}},  // rank 5
      {{2, 0, 3}, {0, 0, 1, 1, 0, 0}},                 // empty input, padded output
  };
  uint32_t seed = 100;
  for (const PadCase& c : cases)
    for (const bool v2 : {false, true}) {
      GraphCase g(seed++);
      ir::ValueId x = g.input("x", c.input);
      ir::ValueId paddings = int_matrix(g, "paddings", c.paddings, 2);
      std::string what = fmt::format("{} {} paddings {}", v2 ? "PadV2" : "Pad", shape_string(c.input),
                                     fmt::join(c.paddings, ","));
      if (v2) g.node("y", "PadV2", {x, paddings, float_scalar(g, "value", -1.5f)});
      else g.node("y", "Pad", {x, paddings});
      expect_bit_exact(g, v2 ? "pad_v2_f32_fast" : "pad_f32_fast", what);
    }
}

// The constant is copied as bits: -0.0 and a NaN come out as the reference's.
TEST(FastPad, ConstantBitsSurvive) {
  for (const float value : {-0.0f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    GraphCase g(7);
    ir::ValueId x = g.input("x", {1, 9, 9, 4});
    g.node("y", "PadV2", {x, int_matrix(g, "paddings", {0, 0, 2, 1, 1, 2, 0, 0}, 2), float_scalar(g, "value", value)});
    auto fast = g.run(kernels::KernelChoice::kAuto);
    auto reference = g.run(kernels::KernelChoice::kReference);
    ASSERT_TRUE(fast && reference);
    ASSERT_EQ(fast->size(), reference->size());
    EXPECT_EQ(std::memcmp(fast->data(), reference->data(), fast->size() * sizeof(float)), 0) << value;
  }
}

TEST(FastConcat, AxesAndInputs) {
  struct ConcatCase {
    std::vector<Shape> inputs;
    int32_t axis;
  };
  const ConcatCase cases[] = {
      {{{1, 8, 8, 16}, {1, 8, 8, 16}}, 3},                 // channels
      {{{1, 8, 8, 16}, {1, 8, 8, 5}, {1, 8, 8, 1}}, -1},   // negative axis, odd widths
      {{{2, 3, 4}, {2, 5, 4}}, 1},
      {{{2, 3, 4}, {2, 3, 4}, {2, 3, 4}, {2, 3, 4}}, -3},  // outermost: one output row
      {{{3, 7}, {4, 7}}, 0},
      {{{1, 104, 104, 32}, {1, 104, 104, 32}}, 3},         // meet-sized, multi-threaded
      {{{1, 64, 100, 100}, {1, 32, 100, 100}}, 1},         // NCHW channels, multi-threaded
      {{{200000}, {70001}}, 0},                            // rank 1, the threads split slabs
      {{{2, 1, 3}, {2, 1, 3}}, 1},                         // size-1 axis
      {{{5, 6}}, 1},                                       // a single input
      {{{2, 3, 2}, {2, 0, 2}, {2, 4, 2}}, 1},              // an empty input
  };
  uint32_t seed = 200;
  for (const ConcatCase& c : cases) {
    GraphCase g(seed++);
    std::vector<ir::ValueId> inputs;
    std::string what = fmt::format("axis {}:", c.axis);
    for (size_t i = 0; i < c.inputs.size(); ++i) {
      inputs.push_back(g.input(fmt::format("x{}", i), c.inputs[i]));
      what += fmt::format(" {}", shape_string(c.inputs[i]));
    }
    inputs.push_back(g.graph().add_constant("axis", DType::kI32, {}, ConstBytes::copy_of(&c.axis, sizeof(int32_t))));
    g.node("y", "ConcatV2", inputs);
    expect_bit_exact(g, "concat_v2_f32_fast", what);
  }
}

TEST(FastResize, ModesAndShapes) {
  struct ResizeCase {
    Shape input;
    int32_t height, width;
  };
  const ResizeCase cases[] = {
      {{1, 8, 8, 16}, 16, 16},     // 2x up
      {{2, 5, 7, 3}, 11, 13},      // odd factors
      {{1, 16, 16, 1}, 7, 5},      // down, one channel
      {{1, 9, 9, 17}, 9, 9},       // same size
      {{3, 1, 1, 8}, 4, 6},        // from a single pixel
      {{1, 6, 4, 5}, 1, 1},        // to a single pixel (align_corners' out == 1 rule)
      {{1, 4, 6, 9}, 1, 12},       // one row
      {{1, 72, 128, 16}, 144, 256},  // selfie/meet-sized, multi-threaded
      {{2, 40, 40, 2}, 160, 160},  // few channels, multi-threaded
  };
  uint32_t seed = 300;
  for (const ResizeCase& c : cases)
    for (const char* op : {"ResizeBilinear", "ResizeNearestNeighbor"})
      for (const auto& [align_corners, half_pixel] : {std::pair{false, false}, {true, false}, {false, true}}) {
        GraphCase g(seed++);
        ir::ValueId x = g.input("x", c.input);
        ir::AttrMap attrs;
        attrs.set("align_corners", align_corners);
        attrs.set("half_pixel_centers", half_pixel);
        g.node("y", op, {x, g.int_constant("size", {c.height, c.width})}, attrs);
        const std::string kernel = std::string(op) == "ResizeBilinear" ? "resize_bilinear_f32_fast"
                                                                        : "resize_nearest_neighbor_f32_fast";
        expect_bit_exact(g, kernel,
                         fmt::format("{} {} -> {}x{} align_corners={} half_pixel_centers={}", op,
                                     shape_string(c.input), c.height, c.width, align_corners, half_pixel));
      }
}

}  // namespace
}  // namespace leanrt::testing
