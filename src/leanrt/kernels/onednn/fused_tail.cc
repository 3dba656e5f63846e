#include "leanrt/kernels/onednn/fused_tail.h"

#include <algorithm>
#include <cmath>

namespace leanrt::kernels::onednn {
namespace {

using ref::Activation;

struct ActivationName {
  const char* name;
  Activation activation;
};
constexpr ActivationName kActivations[] = {
    {"Relu", Activation::kRelu},       {"Relu6", Activation::kRelu6},
    {"Elu", Activation::kElu},         {"LeakyRelu", Activation::kLeakyRelu},
    {"Sigmoid", Activation::kSigmoid}, {"Tanh", Activation::kTanh},
    {"Prelu", Activation::kPrelu},     {"GeluApproximate", Activation::kGeluApproximate},
    {"GeluExact", Activation::kGeluExact},       {"HardSwish", Activation::kHardSwish},
};

const float* constant_floats(const KernelContext& context, int input) {
  const ir::Value& value = context.input(input);
  return value.is_constant() ? value.constant->as<float>() : nullptr;
}

// Value c of a per-channel vector that may also be a single broadcast value.
float channel_value(const KernelContext& context, int input, int64_t channel) {
  const float* values = constant_floats(context, input);
  return num_elements(context.input(input).shape) == 1 ? values[0] : values[channel];
}

// One row of channels through the activation. The sign-dependent ones are
// written as max + alpha * min, a select the compiler vectorises: the branch
// ref::activate takes mispredicts on every other value of real activations
// and doubled the run time of Prelu- and LeakyRelu-heavy models (facemesh,
// iris, nanodet). `alphas` is per channel, or null for the one `alpha`.
void activate_row(Activation kind, float* values, int64_t channels, const float* alphas, float alpha) {
  switch (kind) {
    case Activation::kRelu:
      for (int64_t c = 0; c < channels; ++c) values[c] = std::max(values[c], 0.0f);
      return;
    case Activation::kRelu6:
      for (int64_t c = 0; c < channels; ++c) values[c] = std::min(std::max(values[c], 0.0f), 6.0f);
      return;
    case Activation::kLeakyRelu:
    case Activation::kPrelu:
      if (alphas != nullptr)
        for (int64_t c = 0; c < channels; ++c)
          values[c] = std::max(values[c], 0.0f) + alphas[c] * std::min(values[c], 0.0f);
      else
        for (int64_t c = 0; c < channels; ++c) values[c] = std::max(values[c], 0.0f) + alpha * std::min(values[c], 0.0f);
      return;
    default:
      for (int64_t c = 0; c < channels; ++c) values[c] = ref::activate(kind, values[c], alpha);
  }
}

int post_op_count_before_activation(const FusedTail& tail) {
  return tail.residual_input >= 0 && !tail.residual_after_activation ? 1 : 0;
}

// The residual post-op: oneDNN's sum (dst holds the residual) or binary add.
void append_residual(const FusedTail& tail, dnnl::post_ops& ops, const dnnl::memory::desc& dst_desc) {
  if (tail.residual_as_sum) ops.append_sum(1.0f);
  else ops.append_binary(dnnl::algorithm::binary_add, dst_desc);
}

}  // namespace

Expected<FusedTail> FusedTail::parse(const KernelContext& context, int first_arg, int64_t channels) {
  FusedTail tail;
  const auto fused_ops = context.attrs().get_or<std::vector<std::string>>("fused_ops", {});
  tail.epsilon = context.attrs().get_or<float>("epsilon", 0.0f);
  int next_arg = first_arg;
  // A per-channel vector the kernel folds at compile time: must be constant.
  auto take_vector = [&](const char* what) -> Expected<int> {
    if (next_arg >= context.num_inputs())
      return context.error("fused {} needs input {}, the node has {} inputs", what, next_arg, context.num_inputs());
    const ir::Value& value = context.input(next_arg);
    const int64_t count = num_elements(value.shape);
    if (count != channels && count != 1)
      return context.error("fused {} input {} has {} values, expected {} (one per output channel)", what, next_arg,
                           count, channels);
    if (value.dtype != DType::kF32 || !value.is_constant())
      return context.unsupported("fused {} input {} is not a float32 constant", what, next_arg);
    return next_arg++;
  };
  for (size_t i = 0; i < fused_ops.size(); ++i) {
    const std::string& op = fused_ops[i];
    const bool last = i + 1 == fused_ops.size();
    if (op == "BiasAdd" || (op == "Add" && i == 0)) {
      LEANRT_ASSIGN_OR_RETURN(tail.bias_input, take_vector("BiasAdd"));
    } else if (op == "FusedBatchNorm" || op == "FusedBatchNormV3") {
      LEANRT_ASSIGN_OR_RETURN(tail.batch_norm_input, take_vector("FusedBatchNorm scale"));
      for (const char* part : {"offset", "mean", "variance"}) LEANRT_RETURN_IF_ERROR(take_vector(part).status());
    } else if (op == "Add") {
      if (next_arg >= context.num_inputs() || context.input(next_arg).shape != context.output(0).shape)
        return context.unsupported("fused residual Add needs an input shaped like the output");
      tail.residual_input = next_arg++;
      tail.residual_after_activation = tail.activation != Activation::kNone;
    } else {
      bool known = false;
      // An activation comes last, or just before the residual Add.
      const bool before_residual = i + 2 == fused_ops.size() && fused_ops.back() == "Add";
      for (const ActivationName& entry : kActivations) {
        if (op != entry.name) continue;
        if (!last && !before_residual)
          return context.unsupported("fused_ops [{}]: an activation may only come last", fmt::join(fused_ops, ", "));
        tail.activation = entry.activation;
        known = true;
      }
      if (!known) return context.unsupported("fused op \"{}\" is not supported by oneDNN here", op);
      if (tail.activation == Activation::kPrelu) {
        LEANRT_ASSIGN_OR_RETURN(tail.prelu_input, take_vector("Prelu alpha"));
      }
    }
  }
  tail.activation_alpha = ref::activation_alpha(context.attrs(), tail.activation);
  return tail;
}

void FusedTail::fold(const KernelContext& context, int64_t channels, std::vector<float>& scale,
                     std::vector<float>& bias) const {
  scale.clear();
  bias.clear();
  if (bias_input < 0 && batch_norm_input < 0) return;
  bias.assign(channels, 0.0f);
  if (bias_input >= 0)
    for (int64_t c = 0; c < channels; ++c) bias[c] = channel_value(context, bias_input, c);
  if (batch_norm_input < 0) return;
  scale.resize(channels);
  for (int64_t c = 0; c < channels; ++c) {
    const float gamma = channel_value(context, batch_norm_input, c);
    const float beta = channel_value(context, batch_norm_input + 1, c);
    const float mean = channel_value(context, batch_norm_input + 2, c);
    const float variance = channel_value(context, batch_norm_input + 3, c);
    scale[c] = gamma / std::sqrt(variance + epsilon);
    bias[c] = (bias[c] - mean) * scale[c] + beta;
  }
}

void FusedTail::mark_folded_inputs(OnednnKernelBuilder& builder) const {
  if (bias_input >= 0) builder.mark_packed(bias_input);
  if (batch_norm_input >= 0)
    for (int part = 0; part < 4; ++part) builder.mark_packed(batch_norm_input + part);
}

Expected<dnnl::post_ops> FusedTail::post_ops(const KernelContext& context, int channel_axis,
                                             const dnnl::memory::desc& dst_desc) const {
  dnnl::post_ops ops;
  if (residual_input >= 0 && !residual_after_activation) append_residual(*this, ops, dst_desc);
  using dnnl::algorithm;
  switch (activation_as_post_op ? activation : Activation::kNone) {
    case Activation::kNone: break;
    case Activation::kRelu: ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f); break;
    case Activation::kLeakyRelu: ops.append_eltwise(1.0f, algorithm::eltwise_relu, activation_alpha, 0.0f); break;
    case Activation::kRelu6: ops.append_eltwise(1.0f, algorithm::eltwise_clip_v2, 0.0f, 6.0f); break;
    case Activation::kElu: ops.append_eltwise(1.0f, algorithm::eltwise_elu, 1.0f, 0.0f); break;
    case Activation::kSigmoid: ops.append_eltwise(1.0f, algorithm::eltwise_logistic, 0.0f, 0.0f); break;
    case Activation::kTanh: ops.append_eltwise(1.0f, algorithm::eltwise_tanh, 0.0f, 0.0f); break;
    case Activation::kGeluApproximate: ops.append_eltwise(1.0f, algorithm::eltwise_gelu_tanh, 0.0f, 0.0f); break;
    case Activation::kGeluExact: ops.append_eltwise(1.0f, algorithm::eltwise_gelu_erf, 0.0f, 0.0f); break;
    // oneDNN's is x * relu6(x + 3) / 6, scaled by 6 alpha: (x * alpha) * relu6(x + 3)
    case Activation::kHardSwish:
      ops.append_eltwise(6.0f * activation_alpha, algorithm::eltwise_hardswish, 0.0f, 0.0f);
      break;
    case Activation::kPrelu: {
      const bool per_channel = num_elements(context.input(prelu_input).shape) != 1;
      ops.append_prelu(per_channel ? 1 << channel_axis : 0);
      break;
    }
  }
  if (residual_input >= 0 && residual_after_activation) {
    // Applied after the primitive, the activation would follow the residual.
    if (!activation_as_post_op) return context.unsupported("an activation before a residual Add must be a post-op");
    append_residual(*this, ops, dst_desc);
  }
  return ops;
}

std::function<void(const KernelIO&)> FusedTail::activation_pass(const KernelContext& context, int64_t channels) const {
  if (activation_as_post_op || activation == Activation::kNone) return {};
  const float* alphas = prelu_input >= 0 ? constant_floats(context, prelu_input) : nullptr;
  const bool one_alpha = prelu_input >= 0 && num_elements(context.input(prelu_input).shape) == 1;
  const Activation kind = activation;
  const float alpha = activation_alpha;
  return [=](const KernelIO& io) {
    float* out = io.output(0).as<float>();
    const int64_t rows = io.output(0).elements() / channels;
#pragma omp parallel for if (rows * channels >= 65536)
    for (int64_t row = 0; row < rows; ++row)
      activate_row(kind, out + row * channels, channels, one_alpha ? nullptr : alphas, one_alpha ? alphas[0] : alpha);
  };
}

void FusedTail::bind_post_op_args(const KernelContext& context, OnednnKernelBuilder& builder, int channel_axis,
                                  const dnnl::memory::desc& dst_desc) const {
  // The residual post-op is first, or second after the activation's.
  const int residual_post_op = residual_after_activation ? 1 : 0;
  if (residual_input >= 0 && residual_as_sum) builder.set_accumulate_input(residual_input);
  else if (residual_input >= 0)
    builder.bind_runtime(DNNL_ARG_ATTR_MULTIPLE_POST_OP(residual_post_op) | DNNL_ARG_SRC_1, dst_desc,
                         {RuntimeSource::kInput, residual_input});
  if (activation == Activation::kPrelu && activation_as_post_op) {
    // Prelu weights: f32, plain layout, dims 1 except along the channel axis.
    const int rank = dst_desc.data.ndims;
    dnnl::memory::dims dims(rank, 1);
    const int64_t count = num_elements(context.input(prelu_input).shape);
    if (count != 1) dims[channel_axis] = count;
    // Row-major strides: with every other dim 1 the values are contiguous.
    dnnl::memory::dims strides(rank, 1);
    for (int axis = rank - 2; axis >= 0; --axis) strides[axis] = strides[axis + 1] * dims[axis + 1];
    const dnnl::memory::desc alpha_desc(dims, dnnl::memory::data_type::f32, strides);
    builder.bind_fixed(DNNL_ARG_ATTR_MULTIPLE_POST_OP(post_op_count_before_activation(*this)) | DNNL_ARG_WEIGHTS,
                       alpha_desc, constant_floats(context, prelu_input));
  }
}

}  // namespace leanrt::kernels::onednn
