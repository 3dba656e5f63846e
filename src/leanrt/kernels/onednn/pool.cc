// oneDNN pooling for MaxPool and AvgPool on NHWC. TF never takes padded
// positions into a max, and its AvgPool divides by the in-bounds count:
// pooling_max and pooling_avg_exclude_padding.
#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/onednn/onednn.h"
#include "leanrt/kernels/onednn/onednn_kernel.h"

namespace leanrt::kernels::onednn {

Expected<KernelPtr> make_pool2d(const KernelContext& context, const KernelOptions& options) {
  if (context.input(0).dtype != DType::kF32 || context.input(0).shape.size() != 4) return KernelPtr();
  if (context.attrs().get_or<std::string>("data_format", "NHWC") != "NHWC") return KernelPtr();
  const Shape& input = context.input(0).shape;
  const Shape& output = context.output(0).shape;
  if (num_elements(input) == 0 || num_elements(output) == 0) return KernelPtr();
  const auto ksize = context.attrs().get_or<std::vector<int64_t>>("ksize", {1, 1, 1, 1});
  if (ksize.size() != 4 || ksize[0] != 1 || ksize[3] != 1) return KernelPtr();
  LEANRT_ASSIGN_OR_RETURN(ir::Window2D w, ir::window_2d(context.attrs(), input, ksize[1], ksize[2]));
  const bool is_max = context.node().op == "MaxPool";
  const int threads =
      primitive_threads(static_cast<double>(num_elements(output)) * ksize[1] * ksize[2], options.threads, kMinParallelConvWork);
  ThreadCountScope thread_count(threads);
  const dnnl::memory::desc src = nhwc_desc(input[0], input[1], input[2], input[3]);
  const dnnl::memory::desc dst = nhwc_desc(output[0], output[1], output[2], output[3]);
  try {
    dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference,
                                     is_max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding,
                                     src, dst, {w.height.stride, w.width.stride}, {ksize[1], ksize[2]},
                                     {w.height.pad_before, w.width.pad_before}, {w.height.pad_after, w.width.pad_after});
    dnnl::pooling_forward::primitive_desc pd(desc, base_attr(), cpu_engine());
    if (is_reference_implementation(pd)) return KernelPtr();
    OnednnKernelBuilder builder(is_max ? "max_pool_f32_onednn" : "avg_pool_f32_onednn");
    builder.bind_runtime(DNNL_ARG_SRC, src, {RuntimeSource::kInput, 0});
    builder.bind_runtime(DNNL_ARG_DST, dst, {RuntimeSource::kOutput, 0});
    return builder.finish(dnnl::pooling_forward(pd), pd.scratchpad_desc(), threads);
  } catch (const dnnl::error& error) {
    return creation_error(context, "a pooling", error);
  }
}

}  // namespace leanrt::kernels::onednn
