// The fused tail of _FusedConv2D, FusedDepthwiseConv2dNative and
// _FusedMatMul: what the TF.js converter and TF's remapper fold into the
// op through `fused_ops` (BiasAdd / FusedBatchNorm, then one activation).
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "leanrt/kernels/kernel.h"

namespace leanrt::kernels::ref {

enum class Activation { kNone, kRelu, kRelu6, kElu, kLeakyRelu, kSigmoid, kTanh, kPrelu, kGeluApproximate, kGeluExact, kHardSwish };

struct Epilogue {
  int bias_input = -1;       // input index of the bias vector (BiasAdd)
  int batch_norm_input = -1; // first of scale, offset, mean, variance (FusedBatchNorm)
  float epsilon = 0.0f;
  Activation activation = Activation::kNone;
  int prelu_input = -1;      // input index of the Prelu alpha
  // LeakyRelu's slope, or HardSwish's scale of x (activation_alpha())
  float activation_alpha = 0.2f;
  // leanrt's residual forms: input index of a tensor shaped like the output,
  // added before the activation ([BiasAdd, Add, <activation>?]) or after it
  // ([BiasAdd, <activation>, Add]).
  int residual_input = -1;
  bool residual_after_activation = false;

  // Reads fused_ops / num_args / epsilon / leakyrelu_alpha / hardswish_scale. `first_arg` is
  // the index of the first extra input (2 for conv and matmul).
  static Expected<Epilogue> parse(const KernelContext& context, int first_arg, int64_t channels);
  bool empty() const {
    return bias_input < 0 && batch_norm_input < 0 && activation == Activation::kNone && residual_input < 0;
  }

  // Applies the epilogue in place to the whole output: `rows` rows of
  // `channels` values (the residual is read at the same offsets).
  void apply(const KernelIO& io, float* values, int64_t rows, int64_t channels) const;
};

// The scalar parameter of an activation: LeakyRelu's slope (TF's attribute
// leakyrelu_alpha, default 0.2), or HardSwish's scale of x (leanrt's
// hardswish_scale, default 1/6: a model with fp16 weights has 0.16662598).
inline float activation_alpha(const ir::AttrMap& attrs, Activation activation) {
  return activation == Activation::kHardSwish ? attrs.get_or<float>("hardswish_scale", 1.0f / 6.0f)
                                              : attrs.get_or<float>("leakyrelu_alpha", 0.2f);
}

inline float activate(Activation activation, float value, float alpha) {
  switch (activation) {
    case Activation::kNone: return value;
    case Activation::kRelu: return value > 0.0f ? value : 0.0f;
    case Activation::kRelu6: return std::min(std::max(value, 0.0f), 6.0f);
    case Activation::kElu: return value < 0.0f ? std::expm1(value) : value;
    case Activation::kLeakyRelu: return value < 0.0f ? alpha * value : value;
    case Activation::kPrelu: return value < 0.0f ? alpha * value : value;
    case Activation::kSigmoid: return 1.0f / (1.0f + std::exp(-value));
    case Activation::kTanh: return std::tanh(value);
    case Activation::kGeluApproximate: {
      const float inner = 0.7978845608028654f * (value + 0.044715f * value * value * value);
      return 0.5f * value * (1.0f + std::tanh(inner));
    }
    case Activation::kGeluExact: return 0.5f * value * (1.0f + std::erf(value * 0.7071067811865476f));
    // leanrt's fused form of (x * alpha) * relu6(x + 3), alpha ~ 1/6, in the
    // order TF.js models spell it
    case Activation::kHardSwish: return (value * alpha) * std::min(std::max(value + 3.0f, 0.0f), 6.0f);
  }
  return value;
}

}  // namespace leanrt::kernels::ref
