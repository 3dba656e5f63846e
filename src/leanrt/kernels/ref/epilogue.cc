#include "leanrt/kernels/ref/epilogue.h"

namespace leanrt::kernels::ref {

Expected<Epilogue> Epilogue::parse(const KernelContext& context, int first_arg, int64_t channels) {
  Epilogue epilogue;
  auto fused_ops = context.attrs().get_or<std::vector<std::string>>("fused_ops", {});
  epilogue.epsilon = context.attrs().get_or<float>("epsilon", 0.0f);
  int next_arg = first_arg;
  auto take_vector = [&](const char* what) -> Expected<int> {
    if (next_arg >= context.num_inputs())
      return context.error("fused {} needs input {}, the node has {} inputs", what, next_arg, context.num_inputs());
    const int64_t count = num_elements(context.input(next_arg).shape);
    if (count != channels && count != 1)
      return context.error("fused {} input {} has {} values, expected {} (one per output channel)", what, next_arg,
                           count, channels);
    if (context.input(next_arg).dtype != DType::kF32)
      return context.error("fused {} input {}: expected float32, found {}", what, next_arg,
                           dtype_name(context.input(next_arg).dtype));
    return next_arg++;
  };
  for (size_t i = 0; i < fused_ops.size(); ++i) {
    const std::string& op = fused_ops[i];
    if (op == "BiasAdd" || (op == "Add" && i == 0)) {
      LEANRT_ASSIGN_OR_RETURN(epilogue.bias_input, take_vector("BiasAdd"));
    } else if (op == "FusedBatchNorm" || op == "FusedBatchNormV3") {
      LEANRT_ASSIGN_OR_RETURN(epilogue.batch_norm_input, take_vector("FusedBatchNorm scale"));
      for (const char* part : {"offset", "mean", "variance"}) LEANRT_RETURN_IF_ERROR(take_vector(part).status());
    } else if (op == "Add") {  // a residual (leanrt's fused form; an Add first is the bias)
      if (next_arg >= context.num_inputs() || context.input(next_arg).shape != context.output(0).shape)
        return context.error("fused residual Add needs input {} shaped like the output {}", next_arg,
                             shape_string(context.output(0).shape));
      epilogue.residual_input = next_arg++;
      epilogue.residual_after_activation = epilogue.activation != Activation::kNone;
    } else if (i + 1 != fused_ops.size() && !(i + 2 == fused_ops.size() && fused_ops.back() == "Add")) {
      return context.unsupported("fused_ops [{}]: an activation may only come last", fmt::join(fused_ops, ", "));
    } else if (op == "Relu") {
      epilogue.activation = Activation::kRelu;
    } else if (op == "Relu6") {
      epilogue.activation = Activation::kRelu6;
    } else if (op == "Elu") {
      epilogue.activation = Activation::kElu;
    } else if (op == "LeakyRelu") {
      epilogue.activation = Activation::kLeakyRelu;
    } else if (op == "Sigmoid") {
      epilogue.activation = Activation::kSigmoid;
    } else if (op == "Tanh") {
      epilogue.activation = Activation::kTanh;
    } else if (op == "Prelu") {
      epilogue.activation = Activation::kPrelu;
      LEANRT_ASSIGN_OR_RETURN(epilogue.prelu_input, take_vector("Prelu alpha"));
    } else if (op == "GeluApproximate") {
      epilogue.activation = Activation::kGeluApproximate;
    } else if (op == "GeluExact") {
      epilogue.activation = Activation::kGeluExact;
    } else if (op == "HardSwish") {
      epilogue.activation = Activation::kHardSwish;
    } else {
      return context.unsupported("fused op \"{}\" (in fused_ops [{}]) is not supported", op,
                                 fmt::join(fused_ops, ", "));
    }
  }
  epilogue.activation_alpha = ref::activation_alpha(context.attrs(), epilogue.activation);
  return epilogue;
}

void Epilogue::apply(const KernelIO& io, float* values, int64_t rows, int64_t channels) const {
  if (empty()) return;
  auto vector_at = [&](int input, int64_t channel) {
    const TensorView& view = io.input(input);
    return view.as<const float>()[view.elements() == 1 ? 0 : channel];
  };
  // Shaped like the output: read at the same offset as the value.
  const float* residuals = residual_input >= 0 ? io.input(residual_input).as<const float>() : nullptr;
  for (int64_t row = 0; row < rows; ++row) {
    float* out = values + row * channels;
    for (int64_t c = 0; c < channels; ++c) {
      float value = out[c];
      if (bias_input >= 0) value += vector_at(bias_input, c);
      if (batch_norm_input >= 0) {
        // TF's FusedBatchNorm in inference: (x - mean) * rsqrt(var + eps) * scale + offset
        const float scale = vector_at(batch_norm_input, c);
        const float offset = vector_at(batch_norm_input + 1, c);
        const float mean = vector_at(batch_norm_input + 2, c);
        const float variance = vector_at(batch_norm_input + 3, c);
        value = (value - mean) * (1.0f / std::sqrt(variance + epsilon)) * scale + offset;
      }
      const float alpha = prelu_input >= 0 ? vector_at(prelu_input, c) : activation_alpha;
      if (residuals != nullptr && !residual_after_activation) value += residuals[row * channels + c];
      value = activate(activation, value, alpha);
      if (residuals != nullptr && residual_after_activation) value += residuals[row * channels + c];
      out[c] = value;
    }
  }
}

}  // namespace leanrt::kernels::ref
