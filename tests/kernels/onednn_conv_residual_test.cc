// The oneDNN conv2d kernel with a fused residual Add (passes/
// fuse_residual_add) against the reference kernels, in each placement the
// planner can give the residual: the output over it (oneDNN's sum post-op
// accumulates in place), apart from it (the kernel copies the residual into
// the output first: a graph input, or a value read again later), and the
// residual that is also the conv's own input (a binary-add post-op).
#include <gtest/gtest.h>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

enum class Residual {
  kInPlace,       // computed by a Relu, read last by the conv: the output overwrites it
  kGraphInput,    // a graph input: never in the arena, copied into the output
  kReadLater,     // also a graph output: it outlives the conv, copied
  kConvInput,     // the conv's own input: binary add, never in place
};

const char* describe(Residual residual) {
  switch (residual) {
    case Residual::kInPlace: return "in place";
    case Residual::kGraphInput: return "graph input";
    case Residual::kReadLater: return "read later";
    case Residual::kConvInput: return "conv input";
  }
  return "?";
}

struct ResidualCase {
  int64_t batch, size, in_channels, out_channels, kernel;
  std::string activation;  // "" for none
  bool depthwise = false;  // then out_channels == in_channels (multiplier 1)
  bool activation_first = false;  // act(conv(x) + b) + residual: fused_ops [BiasAdd, <act>, Add]
};

// relu?(conv(x) + b + residual), and whether the fast plan put the conv's
// output in the residual's bytes.
struct Outcome {
  CompareResult compare;
  bool output_over_residual = false;
};

// Dense convs go to leanrt's own tiles where the CPU has AVX-512 (1x1: the
// pointwise GEMM, others: the direct conv), unless the residual is the
// conv's own input (its output cannot overwrite a tensor every panel still
// reads): oneDNN's binary add.
std::string expected_kernel(const ResidualCase& c, Residual placement) {
  if (c.depthwise) return "depthwise_conv2d_f32_onednn";
  const bool own = placement != Residual::kConvInput && __builtin_cpu_supports("avx512f") &&
                   __builtin_cpu_supports("avx512vl");
  if (!own) return "conv2d_f32_onednn";
  return c.kernel == 1 ? "conv2d_f32_pointwise" : "conv2d_f32_direct";
}

Outcome run_case(const ResidualCase& c, Residual placement, uint32_t seed) {
  GraphCase g(seed);
  const int64_t in_channels = placement == Residual::kConvInput ? c.out_channels : c.in_channels;
  ir::ValueId x = g.input("x", {c.batch, c.size, c.size, in_channels});
  ir::ValueId residual = x;
  if (placement != Residual::kConvInput) {
    residual = g.input("r", {c.batch, c.size, c.size, c.out_channels});
    if (placement != Residual::kGraphInput)
      residual = g.node("branch", "Relu", {residual}, {}, placement == Residual::kReadLater);
  }
  const Shape filter = c.depthwise ? Shape{c.kernel, c.kernel, in_channels, 1}
                                   : Shape{c.kernel, c.kernel, in_channels, c.out_channels};
  ir::ValueId y = g.node("conv", c.depthwise ? "DepthwiseConv2dNative" : "Conv2D", {x, g.constant("w", filter)},
                         window_attrs(1, 1, "SAME"), false);
  y = g.node("bias", "BiasAdd", {y, g.constant("b", {c.out_channels})}, {}, false);
  const bool activation = !c.activation.empty();
  auto activate = [&](ir::ValueId value, bool output) {
    if (c.activation == "Prelu")
      return g.node("act", "Prelu", {value, g.constant("alpha", {c.out_channels}, 0.0f, 0.5f)}, {}, output);
    return g.node("act", c.activation, {value}, {}, output);
  };
  if (c.activation_first) {
    g.node("residual", "AddV2", {activate(y, false), residual});
  } else {
    y = g.node("residual", "AddV2", {y, residual}, {}, !activation);
    if (activation) activate(y, true);
  }

  Outcome outcome;
  outcome.compare = g.compare();
  // The plan of the fast compile: the conv step's output tensor and the
  // residual's (written by the step before it) share a buffer when in place.
  runtime::CompileOptions options;
  options.kernels.threads = 2;
  auto model = g.compile_and_run(options);
  if (!model) return outcome;
  const auto& tensors = (*model)->planned_tensors();
  const auto& steps = (*model)->steps();
  for (size_t s = 0; s < steps.size(); ++s) {
    if (steps[s].kernel.find("conv2d_f32_") == std::string::npos || s == 0) continue;
    int output = -1, input = -1;
    for (size_t t = 0; t < tensors.size(); ++t) {
      if (tensors[t].scratch) continue;
      if (tensors[t].first_step == static_cast<int>(s)) output = static_cast<int>(t);
      if (tensors[t].first_step == static_cast<int>(s) - 1) input = static_cast<int>(t);
    }
    if (output >= 0 && input >= 0)
      outcome.output_over_residual =
          (*model)->memory_plan().buffer_of[output] == (*model)->memory_plan().buffer_of[input];
  }
  return outcome;
}

TEST(OnednnConvResidual, EveryPlacementMatchesTheReference) {
  const ResidualCase cases[] = {
      {2, 8, 16, 16, 1, ""},      {2, 8, 16, 16, 1, "Relu"}, {1, 9, 17, 20, 1, "Relu6"},
      {2, 7, 32, 124, 1, ""},     {1, 6, 12, 17, 3, "Relu"}, {2, 5, 16, 32, 3, "LeakyRelu"},
      {1, 7, 16, 16, 1, "Prelu"}, {1, 1, 3, 5, 1, "Elu"},        {2, 9, 24, 24, 3, "Relu", true},
      {1, 6, 17, 17, 3, "", true},
      // The residual added to the activated output (selfie's decoder).
      {2, 8, 16, 16, 1, "Relu", false, true},   {1, 6, 12, 17, 3, "Relu6", false, true},
      {2, 5, 16, 32, 3, "LeakyRelu", false, true}, {2, 9, 24, 24, 3, "Relu", true, true},
  };
  uint32_t seed = 500;
  for (const ResidualCase& c : cases) {
    for (Residual placement : {Residual::kInPlace, Residual::kGraphInput, Residual::kReadLater, Residual::kConvInput}) {
      const std::string what = fmt::format("{}n{} {}x{} {} -> {} k{} {}{} residual {}", c.depthwise ? "depthwise " : "",
                                           c.batch, c.size, c.size, c.in_channels, c.out_channels, c.kernel,
                                           c.activation.empty() ? "none" : c.activation,
                                           c.activation_first ? " first," : "", describe(placement));
      const Outcome outcome = run_case(c, placement, seed++);
      const CompareResult& r = outcome.compare;
      ASSERT_TRUE(r.compiled) << what << ": " << r.summary();
      EXPECT_TRUE(r.used(expected_kernel(c, placement))) << what << ": " << r.summary();
      EXPECT_LE(r.max_error, r.tolerance) << what << ": " << r.summary();
      EXPECT_FALSE(r.used("add_v2_f32_fast")) << what << ": the residual Add was not fused: " << r.summary();
      if (placement == Residual::kInPlace)
        EXPECT_TRUE(outcome.output_over_residual) << what << ": the planner did not put the output over the residual";
      else
        EXPECT_FALSE(outcome.output_over_residual) << what;
    }
  }
}

// The residual placement changes nothing across runs: a second run on the
// same inputs gives the same output bits (in place, the residual is made
// again by its producer; apart, it is copied again).
TEST(OnednnConvResidual, RepeatedRunsAgree) {
  for (Residual placement : {Residual::kInPlace, Residual::kGraphInput}) {
    GraphCase g(900);
    ir::ValueId x = g.input("x", {2, 6, 6, 16});
    ir::ValueId residual = g.input("r", {2, 6, 6, 32});
    if (placement == Residual::kInPlace) residual = g.node("branch", "Relu", {residual}, {}, false);
    ir::ValueId y = g.node("conv", "Conv2D", {x, g.constant("w", {1, 1, 16, 32})}, window_attrs(1, 1, "SAME"), false);
    y = g.node("bias", "BiasAdd", {y, g.constant("b", {32})}, {}, false);
    g.node("residual", "AddV2", {y, residual});
    runtime::CompileOptions options;
    options.kernels.threads = 2;
    auto model = g.compile_and_run(options);
    ASSERT_TRUE(model) << model.status().message();
    const auto& output = (*model)->output(0);
    const std::vector<float> first(output.as<float>(), output.as<float>() + output.elements());
    ASSERT_TRUE((*model)->run().is_ok());
    const std::vector<float> second(output.as<float>(), output.as<float>() + output.elements());
    EXPECT_EQ(first, second) << describe(placement);
  }
}

}  // namespace
}  // namespace leanrt::testing
