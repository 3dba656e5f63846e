// oneDNN convolution for the conv2d family. TF's NHWC activations are used
// in place (oneDNN's brgemm convolutions read and write nhwc directly); the
// HWIO filter is described to oneDNN by strides and reordered once into the
// layout the chosen implementation prefers (format_tag::any).
#include <algorithm>

#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/onednn/fused_tail.h"
#include "leanrt/kernels/onednn/onednn.h"

namespace leanrt::kernels::onednn {
namespace {

using dims = dnnl::memory::dims;

struct ConvShape {
  int64_t batch, in_height, in_width, in_channels;
  int64_t out_height, out_width, out_channels;
  int64_t kernel_height, kernel_width;
  int64_t groups, group_in_channels, group_out_channels;
  ir::Window2D window;
};

Expected<ConvShape> conv_shape(const KernelContext& context, bool depthwise) {
  const Shape& input = context.input(0).shape;
  const Shape& filter = context.input(1).shape;
  const Shape& output = context.output(0).shape;
  ConvShape s{};
  LEANRT_ASSIGN_OR_RETURN(s.window, ir::window_2d(context.attrs(), input, filter[0], filter[1]));
  s.batch = input[0];
  s.in_height = input[1];
  s.in_width = input[2];
  s.in_channels = input[3];
  s.out_height = output[1];
  s.out_width = output[2];
  s.out_channels = output[3];
  s.kernel_height = filter[0];
  s.kernel_width = filter[1];
  if (depthwise) {  // [KH, KW, C, M]: C groups of one input and M outputs each
    s.groups = filter[2];
    s.group_in_channels = 1;
    s.group_out_channels = filter[3];
  } else {  // [KH, KW, C / groups, O]
    s.group_in_channels = filter[2];
    s.groups = filter[2] > 0 ? s.in_channels / filter[2] : 1;
    s.group_out_channels = s.groups > 0 ? filter[3] / s.groups : filter[3];
  }
  return s;
}

// The TF filter as oneDNN's logical weights, by strides. Output channel o of
// group g is TF's column g * group_out_channels + o.
dnnl::memory::desc tf_filter_desc(const ConvShape& s) {
  const int64_t out = s.groups * s.group_out_channels;
  const int64_t tap = s.group_in_channels * out;  // elements per (ky, kx)
  if (s.groups == 1)
    return dnnl::memory::desc({out, s.group_in_channels, s.kernel_height, s.kernel_width},
                              dnnl::memory::data_type::f32, dims{1, out, s.kernel_width * tap, tap});
  return dnnl::memory::desc({s.groups, s.group_out_channels, s.group_in_channels, s.kernel_height, s.kernel_width},
                            dnnl::memory::data_type::f32, dims{s.group_out_channels, 1, out, s.kernel_width * tap, tap});
}

dnnl::memory::desc any_filter_desc(const ConvShape& s) {
  dims logical = s.groups == 1 ? dims{s.groups * s.group_out_channels, s.group_in_channels, s.kernel_height, s.kernel_width}
                               : dims{s.groups, s.group_out_channels, s.group_in_channels, s.kernel_height, s.kernel_width};
  return dnnl::memory::desc(logical, dnnl::memory::data_type::f32, dnnl::memory::format_tag::any);
}

// TF filter values scaled per output channel (batch norm folded in).
AlignedBuffer scaled_filter(const float* filter, int64_t elements, const std::vector<float>& scale) {
  AlignedBuffer scaled(static_cast<size_t>(elements) * sizeof(float));
  float* out = reinterpret_cast<float*>(scaled.data());
  const int64_t channels = static_cast<int64_t>(scale.size());
  for (int64_t i = 0; i < elements; ++i) out[i] = filter[i] * scale[i % channels];  // output channel is innermost
  return scaled;
}

bool applies(const KernelContext& context) {
  if (context.input(0).dtype != DType::kF32 || context.input(1).dtype != DType::kF32) return false;
  if (context.input(0).shape.size() != 4 || context.input(1).shape.size() != 4) return false;
  if (!context.input(1).is_constant()) return false;
  const auto format = context.attrs().get_or<std::string>("data_format", "NHWC");
  if (format != "NHWC") return false;
  return num_elements(context.output(0).shape) > 0 && num_elements(context.input(0).shape) > 0;
}

}  // namespace

Expected<KernelPtr> make_conv2d(const KernelContext& context, const KernelOptions& options) {
  if (!applies(context)) return KernelPtr();
  const bool depthwise = context.node().op.find("Depthwise") != std::string::npos;
  LEANRT_ASSIGN_OR_RETURN(ConvShape s, conv_shape(context, depthwise));
  if (s.groups * s.group_in_channels != s.in_channels) return KernelPtr();
  auto tail = FusedTail::parse(context, 2, s.out_channels);
  if (!tail) {
    if (tail.status().code() == ErrorCode::kUnsupported) return KernelPtr();
    return tail.status();
  }
  std::vector<float> scale, bias;
  tail->fold(context, s.out_channels, scale, bias);

  const double multiply_adds =
      static_cast<double>(num_elements(context.output(0).shape)) * s.kernel_height * s.kernel_width * s.group_in_channels;
  const int threads = primitive_threads(multiply_adds, options.threads, kMinParallelConvWork);
  ThreadCountScope thread_count(threads);
  const dnnl::memory::desc src = nhwc_desc(s.batch, s.in_height, s.in_width, s.in_channels);
  const dnnl::memory::desc dst = nhwc_desc(s.batch, s.out_height, s.out_width, s.out_channels);
  const dnnl::memory::desc bias_desc =
      bias.empty() ? dnnl::memory::desc() : dnnl::memory::desc({s.out_channels}, dnnl::memory::data_type::f32, dims{1});
  const ir::Window2D& w = s.window;
  // The residual is read once per output element, at that element, so the
  // output may overwrite it, unless it is also the conv's own input. Then it
  // is a sum post-op: with the output over the residual (the planner's usual
  // placement) dst already holds it; otherwise run() copies it there first.
  const auto& inputs = context.node().inputs;
  const bool residual_in_place = tail->residual_input >= 0 &&
                                 std::count(inputs.begin(), inputs.end(), inputs[tail->residual_input]) == 1;
  tail->residual_as_sum = residual_in_place;
  try {
    dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src, any_filter_desc(s), bias_desc, dst,
        {w.height.stride, w.width.stride}, {w.height.dilation - 1, w.width.dilation - 1},
        {w.height.pad_before, w.width.pad_before}, {w.height.pad_after, w.width.pad_after});
    auto make_pd = [&]() -> Expected<dnnl::convolution_forward::primitive_desc> {
      dnnl::primitive_attr attr = base_attr();
      LEANRT_ASSIGN_OR_RETURN(dnnl::post_ops post_ops, tail->post_ops(context, 1, dst));
      attr.set_post_ops(post_ops);
      return dnnl::convolution_forward::primitive_desc(desc, attr, cpu_engine());
    };
    LEANRT_ASSIGN_OR_RETURN(dnnl::convolution_forward::primitive_desc pd, make_pd());
    if (is_reference_implementation(pd) && tail->activation != ref::Activation::kNone) {
      tail->activation_as_post_op = false;  // e.g. binary add + prelu: apply the activation after
      LEANRT_ASSIGN_OR_RETURN(pd, make_pd());
    }
    if (is_reference_implementation(pd) && tail->residual_as_sum) {
      tail->residual_as_sum = false;  // no fast implementation takes sum here: try binary add
      tail->activation_as_post_op = true;
      LEANRT_ASSIGN_OR_RETURN(pd, make_pd());
      if (is_reference_implementation(pd) && tail->activation != ref::Activation::kNone) {
        tail->activation_as_post_op = false;
        LEANRT_ASSIGN_OR_RETURN(pd, make_pd());
      }
    }
    if (is_reference_implementation(pd)) return KernelPtr();

    OnednnKernelBuilder builder(depthwise ? "depthwise_conv2d_f32_onednn" : "conv2d_f32_onednn");
    builder.bind_runtime(DNNL_ARG_SRC, src, {RuntimeSource::kInput, 0});
    builder.bind_runtime(DNNL_ARG_DST, dst, {RuntimeSource::kOutput, 0});
    const float* filter = context.input(1).constant->as<float>();
    const int64_t filter_elements = num_elements(context.input(1).shape);
    if (!scale.empty()) {
      AlignedBuffer folded = scaled_filter(filter, filter_elements, scale);
      LEANRT_RETURN_IF_ERROR(builder.bind_packed(DNNL_ARG_WEIGHTS, pd.weights_desc(), tf_filter_desc(s), folded.data(), 1));
    } else {
      LEANRT_RETURN_IF_ERROR(builder.bind_packed(DNNL_ARG_WEIGHTS, pd.weights_desc(), tf_filter_desc(s), filter, 1,
                                                 {&context.graph(), context.node().inputs[1]}));
    }
    if (!bias.empty()) {
      AlignedBuffer bias_buffer(bias.size() * sizeof(float));
      std::copy(bias.begin(), bias.end(), reinterpret_cast<float*>(bias_buffer.data()));
      builder.bind_fixed(DNNL_ARG_BIAS, bias_desc, builder.keep(std::move(bias_buffer)));
      tail->mark_folded_inputs(builder);
    }
    tail->bind_post_op_args(context, builder, 1, dst);
    builder.set_after_execute(tail->activation_pass(context, s.out_channels));
    if (residual_in_place) builder.set_in_place_input(tail->residual_input);
    return builder.finish(dnnl::convolution_forward(pd), pd.scratchpad_desc(), threads);
  } catch (const dnnl::error& error) {
    return creation_error(context, "a convolution", error);
  }
}

}  // namespace leanrt::kernels::onednn
