// oneDNN deconvolution for conv2d_transpose (Conv2DBackpropInput): the
// gradient of a Conv2D with respect to its input, which is oneDNN's
// deconvolution forward with the conv's strides, dilations and padding.
// TF's filter [KH, KW, C, K] (C = the result's channels, K = the gradient's)
// is described by strides as oneDNN's (OC = C, IC = K, KH, KW) and packed once.
#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/onednn/onednn.h"
#include "leanrt/kernels/onednn/onednn_kernel.h"

namespace leanrt::kernels::onednn {

Expected<KernelPtr> make_conv2d_transpose(const KernelContext& context, const KernelOptions& options) {
  if (context.input(1).dtype != DType::kF32 || context.input(2).dtype != DType::kF32 || !context.input(1).is_constant())
    return KernelPtr();
  if (context.attrs().get_or<std::string>("data_format", "NHWC") != "NHWC") return KernelPtr();
  const Shape& result = context.output(0).shape;    // [N, H, W, C]
  const Shape& filter = context.input(1).shape;     // [KH, KW, C, K]
  const Shape& gradient = context.input(2).shape;   // [N, OH, OW, K]
  if (num_elements(result) == 0 || num_elements(gradient) == 0) return KernelPtr();
  LEANRT_ASSIGN_OR_RETURN(ir::Window2D window, ir::window_2d(context.attrs(), result, filter[0], filter[1]));
  // oneDNN derives the result size from the padding: H = (OH - 1) * s -
  // pad_l - pad_r + (KH - 1) * d + 1. TF's result may be larger than its
  // forward conv read (stride remainder); those rows get no contribution, as
  // in TF, when pad_r is taken from the sizes.
  auto right_pad = [](const ir::WindowAxis& axis, int64_t gradient_size) {
    return (gradient_size - 1) * axis.stride + (axis.window - 1) * axis.dilation + 1 - axis.input - axis.pad_before;
  };
  const int64_t pad_bottom = right_pad(window.height, gradient[1]);
  const int64_t pad_right = right_pad(window.width, gradient[2]);
  // A negative pad (result rows past the last window) is oneDNN's way to
  // say the same; implementations that refuse it leave the reference kernel.

  const int64_t channels = filter[2], gradient_channels = filter[3];
  const int threads = primitive_threads(static_cast<double>(num_elements(gradient)) * filter[0] * filter[1] * channels,
                                        options.threads, kMinParallelConvWork);
  ThreadCountScope thread_count(threads);
  using dims = dnnl::memory::dims;
  const dnnl::memory::desc src = nhwc_desc(gradient[0], gradient[1], gradient[2], gradient_channels);
  const dnnl::memory::desc dst = nhwc_desc(result[0], result[1], result[2], result[3]);
  const int64_t tap = channels * gradient_channels;
  const dnnl::memory::desc tf_weights({channels, gradient_channels, filter[0], filter[1]}, dnnl::memory::data_type::f32,
                                      dims{gradient_channels, 1, filter[1] * tap, tap});
  const dnnl::memory::desc any_weights({channels, gradient_channels, filter[0], filter[1]},
                                       dnnl::memory::data_type::f32, dnnl::memory::format_tag::any);
  try {
    dnnl::deconvolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct, src, any_weights, dst,
        {window.height.stride, window.width.stride}, {window.height.dilation - 1, window.width.dilation - 1},
        {window.height.pad_before, window.width.pad_before}, {pad_bottom, pad_right});
    dnnl::deconvolution_forward::primitive_desc pd(desc, base_attr(), cpu_engine());
    if (is_reference_implementation(pd)) return KernelPtr();
    OnednnKernelBuilder builder("conv2d_backprop_input_f32_onednn");
    builder.bind_runtime(DNNL_ARG_SRC, src, {RuntimeSource::kInput, 2});
    builder.bind_runtime(DNNL_ARG_DST, dst, {RuntimeSource::kOutput, 0});
    LEANRT_RETURN_IF_ERROR(builder.bind_packed(DNNL_ARG_WEIGHTS, pd.weights_desc(), tf_weights,
                                               context.input(1).constant->as<float>(), 1,
                                               {&context.graph(), context.node().inputs[1]}));
    return builder.finish(dnnl::deconvolution_forward(pd), pd.scratchpad_desc(), threads);
  } catch (const dnnl::error& error) {
    if (pad_bottom < 0 || pad_right < 0) return KernelPtr();
    return creation_error(context, "a transposed convolution", error);
  }
}

}  // namespace leanrt::kernels::onednn
