// oneDNN batch normalization for FusedBatchNorm V1-V3 in inference form
// (is_training false) with constant scale, offset, mean and variance: the
// batch norms fold_batch_norm cannot fold into a conv's weights, e.g. Keras'
// Conv -> ReLU -> BatchNormalization (signlang: 58% of its run time on the
// reference loop at batch 32). use_global_stats computes TF's
// (x - mean) * rsqrt(variance + epsilon) * scale + offset per channel.
#include <algorithm>
#include <cstring>

#include "leanrt/kernels/onednn/onednn.h"
#include "leanrt/kernels/onednn/onednn_kernel.h"

namespace leanrt::kernels::onednn {
namespace {

bool is_constant_vector(const KernelContext& context, int input, int64_t channels) {
  const ir::Value& value = context.input(input);
  return value.is_constant() && value.dtype == DType::kF32 && num_elements(value.shape) == channels;
}

}  // namespace

Expected<KernelPtr> make_batch_norm(const KernelContext& context, const KernelOptions& options) {
  if (context.num_inputs() != 5 || context.input(0).dtype != DType::kF32) return KernelPtr();
  if (context.attrs().get_or<bool>("is_training", true)) return KernelPtr();
  const Shape& x = context.input(0).shape;
  if (x.size() != 4 || num_elements(x) == 0) return KernelPtr();
  const bool nchw = context.attrs().get_or<std::string>("data_format", "NHWC") == "NCHW";
  const int64_t channels = nchw ? x[1] : x[3];
  for (int input = 1; input <= 4; ++input)
    if (!is_constant_vector(context, input, channels)) return KernelPtr();
  const float epsilon = context.attrs().get_or<float>("epsilon", 1e-4f);
  const int threads = primitive_threads(static_cast<double>(num_elements(x)), options.threads);
  ThreadCountScope thread_count(threads);
  const dnnl::memory::desc data =
      nchw ? dnnl::memory::desc({x[0], x[1], x[2], x[3]}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nchw)
           : nhwc_desc(x[0], x[1], x[2], x[3]);
  const dnnl::memory::desc vector({channels}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
  try {
    const auto flags = dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale |
                       dnnl::normalization_flags::use_shift;
    dnnl::batch_normalization_forward::desc desc(dnnl::prop_kind::forward_inference, data, epsilon, flags);
    dnnl::batch_normalization_forward::primitive_desc pd(desc, base_attr(), cpu_engine());
    if (is_reference_implementation(pd)) return KernelPtr();
    OnednnKernelBuilder builder("fused_batch_norm_f32_onednn");
    builder.bind_runtime(DNNL_ARG_SRC, data, {RuntimeSource::kInput, 0});
    builder.bind_runtime(DNNL_ARG_DST, data, {RuntimeSource::kOutput, 0});
    builder.bind_fixed(DNNL_ARG_SCALE, vector, context.input(1).constant->data);
    builder.bind_fixed(DNNL_ARG_SHIFT, vector, context.input(2).constant->data);
    builder.bind_fixed(DNNL_ARG_MEAN, vector, context.input(3).constant->data);
    builder.bind_fixed(DNNL_ARG_VARIANCE, vector, context.input(4).constant->data);
    // The statistics outputs of the inference form echo the given mean and
    // variance (then reserve spaces, zero), as the reference kernel writes them.
    const std::byte* mean = context.input(3).constant->data;
    const std::byte* variance = context.input(4).constant->data;
    const size_t vector_bytes = static_cast<size_t>(channels) * sizeof(float);
    if (context.num_outputs() > 1)
      builder.set_after_execute([=](const KernelIO& io) {
        for (int k = 1; k < io.num_outputs; ++k) {
          std::byte* statistic = io.output(k).data;
          const size_t bytes = std::min(vector_bytes, io.output(k).size_bytes());
          if (k == 1 || k == 3) std::memcpy(statistic, mean, bytes);
          else if (k == 2 || k == 4) std::memcpy(statistic, variance, bytes);
          else std::memset(statistic, 0, bytes);
        }
      });
    return builder.finish(dnnl::batch_normalization_forward(pd), pd.scratchpad_desc(), threads);
  } catch (const dnnl::error& error) {
    return creation_error(context, "a batch normalization", error);
  }
}

}  // namespace leanrt::kernels::onednn
