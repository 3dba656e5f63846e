// The oneDNN conv2d kernels against the reference kernels on random shapes,
// edge shapes included: odd sizes, 1x1 images, strides, dilations,
// SAME/VALID/EXPLICIT padding, batch 1 and >1, channels around the 16-lane
// vector width, grouped convs, depthwise multipliers > 1, and every fused
// tail (BiasAdd, FusedBatchNorm, each activation, Prelu).
#include <gtest/gtest.h>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

struct ConvCase {
  int64_t batch, height, width, in_channels, out_channels, kernel_h, kernel_w, stride, dilation;
  std::string padding;
  int64_t groups = 1;
};

std::string describe(const ConvCase& c) {
  return fmt::format("n{} {}x{}x{} -> {} k{}x{} s{} d{} {} g{}", c.batch, c.height, c.width, c.in_channels,
                     c.out_channels, c.kernel_h, c.kernel_w, c.stride, c.dilation, c.padding, c.groups);
}

ir::AttrMap conv_attrs(const ConvCase& c) {
  std::vector<int64_t> explicit_paddings;
  if (c.padding == "EXPLICIT") explicit_paddings = {0, 0, 1, 2, 2, 0, 0, 0};
  return window_attrs(c.stride, c.dilation, c.padding, explicit_paddings);
}

bool have_avx512() { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"); }

// Dense (one group) convs go to leanrt's own tiles where the CPU has
// AVX-512: pointwise ones to the GEMM (kernels/fast/pointwise_conv.cc), other
// windows to the direct conv (direct_conv.cc). Grouped convs go to oneDNN.
std::string expected_kernel(const ConvCase& c) {
  if (c.groups != 1 || !have_avx512()) return "conv2d_f32_onednn";
  const bool pointwise = c.kernel_h == 1 && c.kernel_w == 1 && c.stride == 1 && c.padding != "EXPLICIT";
  return pointwise ? "conv2d_f32_pointwise" : "conv2d_f32_direct";
}

void expect_conv_matches(const ConvCase& c, uint32_t seed) {
  GraphCase g(seed);
  ir::ValueId x = g.input("x", {c.batch, c.height, c.width, c.in_channels});
  ir::ValueId w = g.constant("w", {c.kernel_h, c.kernel_w, c.in_channels / c.groups, c.out_channels});
  g.node("conv", "Conv2D", {x, w}, conv_attrs(c));
  CompareResult r = g.compare();
  ASSERT_TRUE(r.compiled) << describe(c) << ": " << r.summary();
  EXPECT_TRUE(r.used(expected_kernel(c))) << describe(c) << ": " << r.summary();
  EXPECT_LE(r.max_error, r.tolerance) << describe(c) << ": " << r.summary();
}

TEST(OnednnConv, DenseShapesAndWindows) {
  const ConvCase cases[] = {
      {1, 7, 7, 3, 8, 3, 3, 1, 1, "SAME"},     {2, 9, 11, 17, 33, 3, 3, 2, 1, "SAME"},
      {1, 8, 8, 16, 16, 1, 1, 1, 1, "VALID"},  {3, 13, 5, 15, 17, 5, 5, 1, 1, "VALID"},
      {1, 1, 1, 31, 7, 1, 1, 1, 1, "SAME"},    {1, 1, 1, 4, 4, 3, 3, 1, 1, "SAME"},
      {2, 12, 12, 8, 12, 3, 3, 1, 2, "SAME"},  {1, 15, 15, 6, 10, 3, 3, 1, 3, "VALID"},
      {1, 10, 9, 5, 6, 1, 3, 3, 1, "SAME"},    {1, 10, 10, 5, 6, 3, 3, 2, 1, "EXPLICIT"},
      {4, 6, 6, 32, 64, 3, 3, 1, 1, "SAME"},   {1, 17, 17, 33, 1, 2, 2, 2, 1, "VALID"},
      {1, 9, 9, 8, 6, 3, 3, 1, 1, "SAME", 2},  {2, 7, 7, 12, 12, 3, 3, 2, 1, "VALID", 4},
      {1, 5, 5, 6, 9, 1, 1, 1, 1, "SAME", 3},
  };
  uint32_t seed = 1;
  for (const ConvCase& c : cases) expect_conv_matches(c, seed++);
}

TEST(OnednnConv, RandomShapes) {
  std::mt19937 random(42);
  auto pick = [&](std::initializer_list<int64_t> options) {
    return *(options.begin() + std::uniform_int_distribution<size_t>(0, options.size() - 1)(random));
  };
  for (int i = 0; i < 40; ++i) {
    ConvCase c{};
    c.batch = pick({1, 2, 3});
    c.height = pick({1, 2, 5, 8, 13});
    c.width = pick({1, 3, 7, 16});
    c.groups = pick({1, 1, 1, 2});
    c.in_channels = c.groups * pick({1, 3, 15, 16, 17});
    c.out_channels = c.groups * pick({1, 4, 16, 17});
    c.kernel_h = pick({1, 2, 3, 5});
    c.kernel_w = pick({1, 3});
    c.dilation = pick({1, 1, 2});
    c.stride = c.dilation > 1 ? 1 : pick({1, 2, 3});  // TF's CPU Conv2D takes one or the other
    c.padding = c.kernel_h * c.dilation > c.height || c.kernel_w * c.dilation > c.width ? "SAME"
                                                                                         : (pick({0, 1}) ? "SAME" : "VALID");
    expect_conv_matches(c, 100 + i);
  }
}

TEST(OnednnConv, DepthwiseMultipliers) {
  struct DepthwiseCase {
    int64_t batch, size, channels, multiplier, kernel, stride, dilation;
    std::string padding;
  };
  const DepthwiseCase cases[] = {
      {1, 7, 8, 1, 3, 1, 1, "SAME"},  {2, 9, 17, 2, 3, 2, 1, "SAME"}, {1, 6, 3, 3, 5, 1, 1, "VALID"},
      {1, 1, 16, 1, 3, 1, 1, "SAME"}, {3, 8, 5, 4, 3, 1, 2, "SAME"},  {1, 11, 32, 1, 3, 2, 1, "VALID"},
  };
  uint32_t seed = 7;
  for (const DepthwiseCase& c : cases) {
    GraphCase g(seed++);
    ir::ValueId x = g.input("x", {c.batch, c.size, c.size, c.channels});
    ir::ValueId w = g.constant("w", {c.kernel, c.kernel, c.channels, c.multiplier});
    g.node("dw", "DepthwiseConv2dNative", {x, w}, window_attrs(c.stride, c.dilation, c.padding));
    CompareResult r = g.compare();
    ASSERT_TRUE(r.compiled) << r.summary();
    EXPECT_TRUE(r.used("depthwise_conv2d_f32_onednn")) << r.summary();
    EXPECT_LE(r.max_error, r.tolerance) << "depthwise case " << seed << ": " << r.summary();
  }
}

// _FusedConv2D / FusedDepthwiseConv2dNative with each tail TF and the TF.js
// converter produce.
TEST(OnednnConv, FusedTails) {
  const std::vector<std::vector<std::string>> tails = {
      {"BiasAdd"},          {"BiasAdd", "Relu"},    {"BiasAdd", "Relu6"},           {"BiasAdd", "Elu"},
      {"BiasAdd", "Sigmoid"}, {"BiasAdd", "Tanh"},  {"BiasAdd", "LeakyRelu"},       {"BiasAdd", "Prelu"},
      {"FusedBatchNorm"},   {"FusedBatchNormV3", "Relu"}, {"BiasAdd", "GeluApproximate"},
      {"BiasAdd", "HardSwish"},
  };
  uint32_t seed = 300;
  for (const bool depthwise : {false, true}) {
    for (const auto& tail : tails) {
      GraphCase g(seed++);
      const int64_t channels = 17, out_channels = depthwise ? 34 : 20;
      ir::ValueId x = g.input("x", {2, 9, 9, channels});
      ir::ValueId w = depthwise ? g.constant("w", {3, 3, channels, 2}) : g.constant("w", {3, 3, channels, out_channels});
      std::vector<ir::ValueId> inputs = {x, w};
      for (const std::string& op : tail) {
        if (op == "BiasAdd") inputs.push_back(g.constant("bias", {out_channels}));
        if (op == "Prelu") inputs.push_back(g.constant("alpha", {out_channels}, 0.0f, 0.5f));
        if (op.starts_with("FusedBatchNorm")) {
          inputs.push_back(g.constant("scale", {out_channels}, 0.5f, 1.5f));
          inputs.push_back(g.constant("offset", {out_channels}));
          inputs.push_back(g.constant("mean", {out_channels}));
          inputs.push_back(g.constant("variance", {out_channels}, 0.1f, 2.0f));
        }
      }
      ir::AttrMap attrs = window_attrs(1, 1, "SAME");
      attrs.set("fused_ops", tail);
      attrs.set("num_args", static_cast<int64_t>(inputs.size() - 2));
      attrs.set("epsilon", 0.001f);
      attrs.set("leakyrelu_alpha", 0.3f);
      g.node("fused", depthwise ? "FusedDepthwiseConv2dNative" : "_FusedConv2D", inputs, attrs);
      CompareResult r = g.compare();
      ASSERT_TRUE(r.compiled) << fmt::format("{}", fmt::join(tail, ",")) << ": " << r.summary();
      // The direct conv's tiles compute every tail here but Gelu.
      const bool direct = !depthwise && have_avx512() && tail.back() != "GeluApproximate";
      EXPECT_TRUE(r.used(depthwise ? "depthwise_conv2d_f32_onednn" : direct ? "conv2d_f32_direct" : "conv2d_f32_onednn"))
          << r.summary();
      EXPECT_LE(r.max_error, r.tolerance) << (depthwise ? "depthwise " : "") << fmt::format("{}", fmt::join(tail, ","))
                                          << ": " << r.summary();
    }
  }
}

// A filter computed at run time is not packable: the reference keeps it.
TEST(OnednnConv, RuntimeFilterFallsBackToReference) {
  GraphCase g(5);
  ir::ValueId x = g.input("x", {1, 5, 5, 3});
  ir::ValueId w = g.input("w", {3, 3, 3, 4});
  g.node("conv", "Conv2D", {x, w}, window_attrs(1, 1, "SAME"));
  CompareResult r = g.compare();
  ASSERT_TRUE(r.compiled) << r.summary();
  EXPECT_TRUE(r.used("conv2d_f32_ref")) << r.summary();
  EXPECT_EQ(r.max_error, 0.0);
}

}  // namespace
}  // namespace leanrt::testing
