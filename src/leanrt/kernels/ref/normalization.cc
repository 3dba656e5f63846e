// Reference kernels of batch_norm (FusedBatchNorm V1-V3, inference form) and lrn.
#include <cmath>

#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

// y = (x - mean) * rsqrt(variance + epsilon) * scale + offset, per channel.
// With is_training TF normalises by the batch's own statistics instead.
Expected<KernelPtr> make_batch_norm(const KernelContext& context) {
  if (context.input(0).dtype != DType::kF32) return context.unsupported("FusedBatchNorm supports float32 only");
  const Shape& x = context.input(0).shape;
  const bool nchw = context.attrs().get_or<std::string>("data_format", "NHWC") == "NCHW";
  const bool training = context.attrs().get_or<bool>("is_training", false);
  const float epsilon = context.attrs().get_or<float>("epsilon", 1e-4f);
  const int64_t channels = nchw ? x[1] : x[3];
  const int64_t inner = nchw ? x[2] * x[3] : 1;  // contiguous values per channel run
  const int64_t total = num_elements(x);
  const int64_t per_channel = channels > 0 ? total / channels : 0;
  const int outputs = context.num_outputs();
  const size_t scratch = static_cast<size_t>(2 * channels) * sizeof(double);
  return make_kernel("fused_batch_norm_f32_ref", [=](const KernelIO& io) {
    const float* in = io.input(0).as<const float>();
    const float* scale = io.input(1).as<const float>();
    const float* offset = io.input(2).as<const float>();
    double* mean = reinterpret_cast<double*>(io.scratch);
    double* variance = mean + channels;
    auto channel_of = [&](int64_t i) { return (i / inner) % channels; };
    if (training) {
      for (int64_t c = 0; c < channels; ++c) mean[c] = variance[c] = 0.0;
      for (int64_t i = 0; i < total; ++i) mean[channel_of(i)] += in[i];
      for (int64_t c = 0; c < channels; ++c) mean[c] /= static_cast<double>(per_channel);
      for (int64_t i = 0; i < total; ++i) {
        const double d = in[i] - mean[channel_of(i)];
        variance[channel_of(i)] += d * d;
      }
      for (int64_t c = 0; c < channels; ++c) variance[c] /= static_cast<double>(per_channel);
    } else {
      for (int64_t c = 0; c < channels; ++c) {
        mean[c] = io.input(3).as<const float>()[c];
        variance[c] = io.input(4).as<const float>()[c];
      }
    }
    float* out = io.output(0).as<float>();
    for (int64_t i = 0; i < total; ++i) {
      const int64_t c = channel_of(i);
      const float inverse = 1.0f / std::sqrt(static_cast<float>(variance[c]) + epsilon);
      out[i] = (in[i] - static_cast<float>(mean[c])) * inverse * scale[c] + offset[c];
    }
    // The statistics outputs: batch mean and variance, then reserve spaces.
    for (int k = 1; k < outputs; ++k) {
      float* statistic = io.output(k).as<float>();
      for (int64_t c = 0; c < channels; ++c)
        statistic[c] = static_cast<float>(k == 1 || k == 3 ? mean[c] : (k == 2 || k == 4 ? variance[c] : 0.0));
    }
    return Status::ok();
  }, scratch);
}

// LRN over the channel axis (TF's LRNOp): x / (bias + alpha * sum sq)^beta.
Expected<KernelPtr> make_lrn(const KernelContext& context) {
  if (context.input(0).dtype != DType::kF32) return context.unsupported("LRN supports float32 only");
  const Shape& x = context.input(0).shape;
  const int64_t radius = context.attrs().get_or<int64_t>("depth_radius", 5);
  const float bias = context.attrs().get_or<float>("bias", 1.0f);
  const float alpha = context.attrs().get_or<float>("alpha", 1.0f);
  const float beta = context.attrs().get_or<float>("beta", 0.5f);
  const int64_t depth = x[3];
  const int64_t pixels = num_elements(x) / std::max<int64_t>(depth, 1);
  return make_kernel("lrn_f32_ref", [=](const KernelIO& io) {
    const float* in = io.input(0).as<const float>();
    float* out = io.output(0).as<float>();
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t c = 0; c < depth; ++c) {
        float sum = 0.0f;
        for (int64_t k = std::max<int64_t>(0, c - radius); k <= std::min(depth - 1, c + radius); ++k)
          sum += in[p * depth + k] * in[p * depth + k];
        out[p * depth + c] = in[p * depth + c] / std::pow(bias + alpha * sum, beta);
      }
    return Status::ok();
  });
}

}  // namespace leanrt::kernels::ref
