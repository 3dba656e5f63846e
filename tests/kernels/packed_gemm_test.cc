// leanrt's packed GEMM (kernels/fast/packed_gemm.cc) against the reference
// kernels, as pointwise convolutions and as dense layers: row counts that
// leave partial 8-row tiles or take the one-row wide tiles, column counts
// that leave partial 16- and 32-wide panels, every fused tail it takes, an
// output large enough for its streaming stores, one weight shared by two
// nodes, and the same bits for a sample whatever the batch it runs in.
// Residual placements are covered with oneDNN's in onednn_conv_residual_test,
// transpose flags and batch axes in onednn_matmul_test.
#include <gtest/gtest.h>

#include <cstring>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

constexpr char kPointwise[] = "conv2d_f32_pointwise";
constexpr char kDense[] = "mat_mul_f32_fast";

bool have_avx512() { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"); }

ir::ValueId pointwise(GraphCase& g, ir::ValueId x, int64_t in_channels, int64_t out_channels, bool output = false) {
  return g.node("conv", "Conv2D", {x, g.constant("w", {1, 1, in_channels, out_channels})},
                window_attrs(1, 1, "VALID"), output);
}

ir::ValueId scalar(GraphCase& g, const std::string& name, float value) {
  return g.graph().add_constant(name, DType::kF32, {}, ConstBytes::copy_of(&value, sizeof value));
}

void expect_pointwise_matches(GraphCase& g, const std::string& what) { expect_uses_and_matches(g, kPointwise, what); }

TEST(PointwiseConv, PartialTilesAndPanels) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: 1x1 convs run on oneDNN";
  struct Case {
    int64_t batch, height, width, in_channels, out_channels;
  };
  // Rows (batch * height * width) of 1, 7, 8, 9, 15, 64 and 245; output
  // channels inside one 16-wide half, across it, on and past 32, and
  // several panels with a partial last one (nanodet's 124).
  const Case cases[] = {
      {1, 1, 1, 3, 5},   {1, 7, 1, 16, 16},  {2, 2, 2, 8, 17},   {1, 3, 3, 1, 31},  {3, 5, 1, 33, 32},
      {1, 8, 8, 128, 124}, {5, 7, 7, 300, 33}, {1, 4, 4, 64, 256}, {2, 3, 5, 40, 100},
  };
  uint32_t seed = 10;
  for (const Case& c : cases) {
    GraphCase g(seed++);
    ir::ValueId x = g.input("x", {c.batch, c.height, c.width, c.in_channels});
    pointwise(g, x, c.in_channels, c.out_channels, true);
    expect_pointwise_matches(g, fmt::format("[{}, {}, {}, {}] -> {}", c.batch, c.height, c.width, c.in_channels,
                                            c.out_channels));
  }
}

TEST(PointwiseConv, EveryFusedTailItTakes) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: 1x1 convs run on oneDNN";
  const char* activations[] = {"", "Relu", "Relu6", "LeakyRelu", "Prelu", "HardSwish", "Sigmoid", "Tanh", "Elu"};
  uint32_t seed = 40;
  for (const char* activation : activations)
    for (bool batch_norm : {false, true}) {
      GraphCase g(seed++);
      const int64_t channels = 37;
      ir::ValueId x = g.input("x", {2, 5, 3, 19});
      ir::ValueId y = pointwise(g, x, 19, channels);
      y = g.node("bias", "BiasAdd", {y, g.constant("b", {channels}, -2.0f, 2.0f)}, {}, false);
      if (batch_norm) {
        ir::AttrMap attrs;
        attrs.set("epsilon", 0.001f);
        attrs.set("is_training", false);
        y = g.node("bn", "FusedBatchNormV3",
                   {y, g.constant("gamma", {channels}, 0.5f, 1.5f), g.constant("beta", {channels}),
                    g.constant("mean", {channels}), g.constant("variance", {channels}, 0.5f, 2.0f)},
                   attrs, false);
      }
      const std::string kind = activation;
      if (kind == "Prelu") {
        g.node("act", "Prelu", {y, g.constant("alpha", {channels}, 0.0f, 0.5f)});
      } else if (kind == "LeakyRelu") {
        ir::AttrMap attrs;
        attrs.set("alpha", 0.1f);
        g.node("act", "LeakyRelu", {y}, attrs);
      } else if (kind == "HardSwish") {  // (x * c) * relu6(x + 3), as TF.js models spell it
        ir::ValueId gate = g.node("relu6", "Relu6", {g.node("add3", "AddV2", {y, scalar(g, "three", 3.0f)}, {}, false)},
                                  {}, false);
        g.node("mul_1", "Mul", {g.node("mul", "Mul", {y, scalar(g, "sixth", 0.16662598f)}, {}, false), gate});
      } else if (!kind.empty()) {
        g.node("act", kind, {y});
      } else {
        g.graph().outputs.push_back(y);
        g.graph().output_names.push_back("out");
      }
      const std::string what = fmt::format("BiasAdd{} {}", batch_norm ? " FusedBatchNormV3" : "", kind);
      CompareResult r = g.compare();
      ASSERT_TRUE(r.compiled) << what << ": " << r.summary();
      EXPECT_EQ(r.kernels.size(), 1u) << what << ": the tail was not fused: " << r.summary();
      EXPECT_TRUE(r.used(kPointwise)) << what << ": " << r.summary();
      EXPECT_LE(r.max_error, r.tolerance) << what << ": " << r.summary();
    }
}

// Activations it leaves to oneDNN, and windows that are not pointwise (the
// direct conv's).
TEST(PointwiseConv, DeclinesWhatItDoesNotTake) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: 1x1 convs run on oneDNN";
  {
    GraphCase g(70);
    ir::ValueId x = g.input("x", {1, 4, 4, 8});
    ir::AttrMap attrs = window_attrs(1, 1, "VALID");
    attrs.set("fused_ops", std::vector<std::string>{"BiasAdd", "GeluApproximate"});
    attrs.set("num_args", int64_t{1});
    g.node("conv", "_FusedConv2D", {x, g.constant("w", {1, 1, 8, 8}), g.constant("b", {8})}, attrs);
    CompareResult r = g.compare();
    EXPECT_TRUE(r.used("conv2d_f32_onednn")) << "GeluApproximate: " << r.summary();
    EXPECT_LE(r.max_error, r.tolerance) << r.summary();
  }
  {
    GraphCase g(71);
    ir::ValueId x = g.input("x", {1, 6, 6, 8});
    g.node("conv", "Conv2D", {x, g.constant("w", {1, 1, 8, 8})}, window_attrs(2, 1, "VALID"));
    CompareResult r = g.compare();
    EXPECT_TRUE(r.used("conv2d_f32_direct")) << "stride 2: " << r.summary();
  }
}

// 16 MiB of output and more is written past the caches: streamed (whole
// lines: channel counts that are a multiple of 16, no residual) or with its
// lines prefetched for writing (a residual read from the same place, or 124
// channels, whose rows do not start on a line).
TEST(PointwiseConv, LargeOutputs) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: 1x1 convs run on oneDNN";
  uint32_t seed = 80;
  for (const int64_t channels : {256, 124})
    for (const bool residual : {false, true}) {
      GraphCase g(seed++);
      const Shape shape = {4, 64, 64, channels};  // 16 MiB at 256 channels
      ir::ValueId x = g.input("x", {4, 64, 64, 8});
      ir::ValueId y = g.node("bias", "BiasAdd", {pointwise(g, x, 8, channels), g.constant("b", {channels})}, {}, false);
      if (residual) y = g.node("residual", "AddV2", {y, g.node("skip", "Relu", {g.input("r", shape)}, {}, false)}, {}, false);
      g.node("relu", "Relu", {y});
      expect_pointwise_matches(g, fmt::format("[4, 64, 64, 8] -> {}{}", channels, residual ? " + residual" : ""));
    }
}

// A sample's output bits do not depend on the batch it runs in: every
// element is the bias plus its products summed over k in order, whatever
// the tile, thread or row count (a stream of batches must match a run of
// one sample at a time).
TEST(PointwiseConv, SameBitsAtEveryBatchSize) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: 1x1 convs run on oneDNN";
  const int64_t in_channels = 70, out_channels = 45, batch = 6;
  GraphCase batched(90);
  ir::ValueId x = batched.input("x", {batch, 5, 3, in_channels});
  ir::ValueId y = pointwise(batched, x, in_channels, out_channels);
  batched.node("relu", "Relu", {batched.node("bias", "BiasAdd", {y, batched.constant("b", {out_channels})}, {}, false)});
  expect_same_bits_per_sample(batched.graph(), batch, kPointwise);
}

ir::ValueId dense(GraphCase& g, ir::ValueId x, int64_t depth, int64_t columns, const std::string& activation) {
  ir::AttrMap attrs;
  std::vector<std::string> fused_ops = {"BiasAdd"};
  if (!activation.empty()) fused_ops.push_back(activation);
  attrs.set("fused_ops", fused_ops);
  attrs.set("num_args", int64_t{1});
  return g.node("dense", "_FusedMatMul", {x, g.constant("w", {depth, columns}), g.constant("b", {columns})}, attrs);
}

// Fewer than 8 rows take the one-row tiles over up to 4 panels, the panels
// split between the threads (784 columns: 25 panels, 13 and 12).
TEST(PackedGemm, DenseLayersAtSmallBatches) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: dense layers run on oneDNN";
  struct Case {
    int64_t rows, depth, columns;
    const char* activation;
  };
  const Case cases[] = {
      {1, 784, 256, "Relu"}, {1, 256, 10, ""},       {1, 128, 784, "Sigmoid"}, {3, 65, 100, "Relu6"},
      {7, 33, 129, "LeakyRelu"}, {1, 1, 1, ""},     {2, 300, 47, "Sigmoid"},  {9, 17, 200, "Relu"},
  };
  uint32_t seed = 100;
  for (const Case& c : cases) {
    GraphCase g(seed++);
    dense(g, g.input("x", {c.rows, c.depth}), c.depth, c.columns, c.activation);
    expect_uses_and_matches(g, kDense,
                            fmt::format("[{}, {}] x [{}, {}] {}", c.rows, c.depth, c.depth, c.columns, c.activation));
  }
}

// The vector sigmoid (an exp of its own) across the range, saturation included.
TEST(PackedGemm, SigmoidOverItsRange) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: dense layers run on oneDNN";
  GraphCase g(120);
  ir::ValueId x = g.input("x", {4, 8});
  ir::ValueId w = g.constant("w", {8, 64}, -30.0f, 30.0f);  // pre-activations over about +-150
  ir::AttrMap attrs;
  attrs.set("fused_ops", std::vector<std::string>{"BiasAdd", "Sigmoid"});
  attrs.set("num_args", int64_t{1});
  g.node("dense", "_FusedMatMul", {x, w, g.constant("b", {64}, -1.0f, 1.0f)}, attrs);
  CompareResult r = g.compare();
  ASSERT_TRUE(r.compiled) << r.summary();
  EXPECT_TRUE(r.used(kDense)) << r.summary();
  EXPECT_LE(r.max_error, 1e-6) << r.summary();
}

// Two dense layers reading one constant (an unrolled RNN's steps) share one
// packed copy: the second kernel packs nothing.
TEST(PackedGemm, OneWeightReadByTwoNodesIsPackedOnce) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: dense layers run on oneDNN";
  GraphCase g(130);
  ir::ValueId w = g.constant("w", {40, 40});
  ir::ValueId h = g.node("step1", "MatMul", {g.input("x", {2, 40}), w}, {}, false);
  g.node("step2", "MatMul", {g.node("relu", "Relu", {h}, {}, false), w});
  CompareResult r = g.compare();
  ASSERT_TRUE(r.compiled) << r.summary();
  EXPECT_LE(r.max_error, r.tolerance) << r.summary();
  runtime::CompileOptions options;
  auto model = g.compile_and_run(options);
  ASSERT_TRUE(static_cast<bool>(model)) << model.status().message();
  std::vector<size_t> packed;
  for (const auto& step : (*model)->steps())
    if (step.kernel == kDense) packed.push_back(step.packed_weights_bytes);
  ASSERT_EQ(packed.size(), 2u);
  EXPECT_EQ(packed[0] + packed[1], 64 * 40 * sizeof(float) + 2 * 64 * sizeof(float))
      << "one copy of the panels (two 32-column panels of 40 rows) and each node's bias row";
}

// A dense layer's row gives the same bits alone (one-row wide tiles) and
// among 13 (8-row narrow tiles, then 4 + 1).
TEST(PackedGemm, DenseSameBitsAtEveryBatchSize) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: dense layers run on oneDNN";
  const int64_t depth = 150, batch = 13;
  GraphCase batched(140);
  dense(batched, batched.input("x", {batch, depth}), depth, 300, "Sigmoid");
  expect_same_bits_per_sample(batched.graph(), batch, kDense);
}

}  // namespace
}  // namespace leanrt::testing
