// Concats laid end to end in their output (every axis before the joined one
// of size 1) get their inputs computed in place: the plan puts each input,
// and the tensor it was reshaped from, inside the concat output. The outputs
// must be bit-identical to a plan without any sharing, with either kernel
// choice, and the slices must really be there.
#include <gtest/gtest.h>

#include <cstring>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

int slices_in(const runtime::CompiledModel& model) {
  int slices = 0;
  for (size_t inside : model.memory_plan().offset_in_buffer) slices += inside != 0;
  return slices;
}

// Runs the graph with and without in-place planning (which includes
// slices); expects the same bytes and returns the slice count.
int expect_same_with_and_without_slices(GraphCase& g) {
  int slices = -1;
  for (kernels::KernelChoice choice : {kernels::KernelChoice::kAuto, kernels::KernelChoice::kReference}) {
    runtime::CompileOptions options;
    options.kernels.choice = choice;
    auto planned = g.compile_and_run(options);
    options.in_place = false;
    auto separate = g.compile_and_run(options);
    EXPECT_TRUE(planned.has_value() && separate.has_value());
    if (!planned || !separate) return -1;
    for (size_t k = 0; k < (*planned)->outputs().size(); ++k) {
      const kernels::TensorView& got = (*planned)->output(static_cast<int>(k));
      const kernels::TensorView& want = (*separate)->output(static_cast<int>(k));
      EXPECT_EQ(got.size_bytes(), want.size_bytes());
      if (got.size_bytes() == want.size_bytes()) {
        EXPECT_EQ(std::memcmp(got.data, want.data, got.size_bytes()), 0) << "output " << k;
      }
    }
    EXPECT_EQ(slices_in(**separate), 0);
    slices = slices_in(**planned);
  }
  return slices;
}

TEST(ConcatSlices, DetectionHeadConvsWriteIntoTheConcat) {
  GraphCase g(1);
  ir::ValueId x = g.input("x", {1, 8, 8, 4});
  ir::ValueId a = g.node("a", "Conv2D", {x, g.constant("wa", {3, 3, 4, 16})}, window_attrs(1, 1, "SAME"), false);
  a = g.node("a/reshape", "Reshape", {a, g.int_constant("sa", {1, 64, 16})}, {}, false);
  ir::ValueId b = g.node("b", "Conv2D", {x, g.constant("wb", {3, 3, 4, 16})}, window_attrs(2, 1, "SAME"), false);
  b = g.node("b/reshape", "Reshape", {b, g.int_constant("sb", {1, 16, 16})}, {}, false);
  b = g.node("b/sigmoid", "Sigmoid", {b}, {}, false);
  ir::ValueId joined = g.node("joined", "ConcatV2", {a, b, g.int_constant("axis", {1})});
  g.node("scores", "Tanh", {joined});
  // b's conv, reshape and sigmoid all sit at b's place: 3 slices past 0.
  EXPECT_EQ(expect_same_with_and_without_slices(g), 3);
}

TEST(ConcatSlices, PackAlongTheFirstAxis) {
  GraphCase g(2);
  ir::ValueId x = g.input("x", {3, 16});
  ir::ValueId y = g.input("y", {3, 16});
  ir::ValueId relu = g.node("relu", "Relu", {x}, {}, false);
  ir::ValueId product = g.node("product", "Mul", {x, y}, {}, false);
  ir::AttrMap attrs;
  attrs.set("axis", int64_t{0});
  g.node("packed", "Pack", {relu, product}, attrs);
  EXPECT_EQ(expect_same_with_and_without_slices(g), 1);
}

TEST(ConcatSlices, NoneWhenTheInputsInterleaveOrLiveOn) {
  {
    // Batch 2: each input's rows interleave with the other's.
    GraphCase g(3);
    ir::ValueId x = g.input("x", {2, 16});
    ir::ValueId a = g.node("a", "Relu", {x}, {}, false);
    ir::ValueId b = g.node("b", "Tanh", {x}, {}, false);
    g.node("joined", "ConcatV2", {a, b, g.int_constant("axis", {1})});
    EXPECT_EQ(expect_same_with_and_without_slices(g), 0);
  }
  {
    // `b` is read again after the concat, and `a` twice by it.
    GraphCase g(4);
    ir::ValueId x = g.input("x", {1, 16});
    ir::ValueId a = g.node("a", "Relu", {x}, {}, false);
    ir::ValueId b = g.node("b", "Tanh", {x}, {}, false);
    ir::ValueId joined = g.node("joined", "ConcatV2", {a, b, a, g.int_constant("axis", {1})});
    g.node("later", "Mul", {b, b});
    g.node("copy", "Relu", {joined});
    EXPECT_EQ(expect_same_with_and_without_slices(g), 0);
  }
}

}  // namespace
}  // namespace leanrt::testing
