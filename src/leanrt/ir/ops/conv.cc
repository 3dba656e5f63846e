// Shape functions of conv2d (Conv2D, DepthwiseConv2dNative and the TF.js
// fused forms), conv2d_transpose (Conv2DBackpropInput) and pool2d.
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {
namespace {

Status expect_nhwc(const InferContext& context) {
  std::string format = context.attrs().get_or<std::string>("data_format", "NHWC");
  if (format != "NHWC")
    return unsupported("{}: data_format \"{}\": leanrt supports NHWC (TensorFlow's CPU layout) only",
                       context.where(), format);
  return Status::ok();
}

}  // namespace

Expected<std::vector<ValueType>> infer_conv2d(const InferContext& context) {
  if (context.num_inputs() < 2) return context.error("expected at least 2 inputs, found {}", context.num_inputs());
  LEANRT_RETURN_IF_ERROR(expect_nhwc(context));
  LEANRT_RETURN_IF_ERROR(context.expect_rank(0, 4));
  LEANRT_RETURN_IF_ERROR(context.expect_rank(1, 4));
  const Shape& input = context.shape(0);
  const Shape& filter = context.shape(1);
  const bool depthwise = context.node().op.find("Depthwise") != std::string::npos;
  int64_t output_channels = 0;
  if (depthwise) {
    if (filter[2] != input[3])
      return context.error("filter {} expects {} input channels, input {} has {}", shape_string(filter), filter[2],
                           shape_string(input), input[3]);
    output_channels = filter[2] * filter[3];
  } else {
    // Grouped convolution: TF accepts input channels that are a multiple of
    // the filter's input channels.
    if (filter[2] <= 0 || input[3] % filter[2] != 0 || filter[3] % (input[3] / filter[2]) != 0)
      return context.error("filter {} (HWIO) does not fit input {} (NHWC): input channels {} vs filter {}",
                           shape_string(filter), shape_string(input), input[3], filter[2]);
    output_channels = filter[3];
  }
  auto window = window_2d(context.attrs(), input, filter[0], filter[1]);
  if (!window) return window.status().with_context(context.where());
  return std::vector<ValueType>{
      {context.dtype(0), {input[0], window->height.output, window->width.output, output_channels}}};
}

// Conv2DBackpropInput(input_sizes, filter [H, W, in, out], out_backprop):
// the transposed convolution; the result has shape input_sizes.
Expected<std::vector<ValueType>> infer_conv2d_transpose(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(3));
  LEANRT_RETURN_IF_ERROR(expect_nhwc(context));
  LEANRT_RETURN_IF_ERROR(context.expect_rank(1, 4));
  LEANRT_RETURN_IF_ERROR(context.expect_rank(2, 4));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, context.const_ints(0));
  if (sizes.size() != 4) return context.error("input_sizes: expected 4 values, found {}", sizes.size());
  const Shape& filter = context.shape(1);
  const Shape& gradient = context.shape(2);
  Shape result(sizes.begin(), sizes.end());
  if (result[0] != gradient[0]) result[0] = gradient[0];  // batch follows the data, not the folded constant
  auto window = window_2d(context.attrs(), result, filter[0], filter[1]);
  if (!window) return window.status().with_context(context.where());
  if (window->height.output != gradient[1] || window->width.output != gradient[2] || filter[3] != gradient[3] ||
      filter[2] != result[3])
    return context.error("out_backprop {} and filter {} do not match input_sizes {}", shape_string(gradient),
                         shape_string(filter), shape_string(result));
  return std::vector<ValueType>{{context.dtype(2), result}};
}

Expected<std::vector<ValueType>> infer_pool2d(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  LEANRT_RETURN_IF_ERROR(expect_nhwc(context));
  LEANRT_RETURN_IF_ERROR(context.expect_rank(0, 4));
  auto ksize = context.attrs().get_or<std::vector<int64_t>>("ksize", {});
  if (ksize.size() != 4 || ksize[0] != 1 || ksize[3] != 1)
    return context.error("ksize [{}]: expected [1, height, width, 1]", fmt::join(ksize, ", "));
  const Shape& input = context.shape(0);
  auto window = window_2d(context.attrs(), input, ksize[1], ksize[2]);
  if (!window) return window.status().with_context(context.where());
  return std::vector<ValueType>{{context.dtype(0), {input[0], window->height.output, window->width.output, input[3]}}};
}

}  // namespace leanrt::ir::ops
