// Shape functions of conv3d (Conv3D) and pool3d (MaxPool3D, AvgPool3D), NDHWC.
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {

namespace {

struct Window3D {
  WindowAxis axes[3];
};

Expected<Window3D> window_3d(const InferContext& context, const Shape& input, const int64_t* window) {
  LEANRT_ASSIGN_OR_RETURN(Padding padding, parse_padding(context.attrs()));
  if (padding == Padding::kExplicit) return unsupported("{}: EXPLICIT padding in 3-D ops", context.where());
  auto strides = context.attrs().get_or<std::vector<int64_t>>("strides", {1, 1, 1, 1, 1});
  auto dilations = context.attrs().get_or<std::vector<int64_t>>("dilations", {1, 1, 1, 1, 1});
  if (strides.size() != 5 || dilations.size() != 5)
    return context.error("strides/dilations: expected 5 values each, found {} and {}", strides.size(), dilations.size());
  Window3D result;
  for (int a = 0; a < 3; ++a) {
    result.axes[a] = WindowAxis{input[a + 1], window[a], strides[a + 1], dilations[a + 1]};
    LEANRT_RETURN_IF_ERROR(resolve_window(padding, result.axes[a]).with_context(context.where()));
  }
  return result;
}

Status expect_ndhwc(const InferContext& context) {
  std::string format = context.attrs().get_or<std::string>("data_format", "NDHWC");
  if (format != "NDHWC") return unsupported("{}: data_format \"{}\": only NDHWC is supported", context.where(), format);
  return context.expect_rank(0, 5);
}

}  // namespace

Expected<std::vector<ValueType>> infer_conv3d(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_RETURN_IF_ERROR(expect_ndhwc(context));
  LEANRT_RETURN_IF_ERROR(context.expect_rank(1, 5));
  const Shape& input = context.shape(0);
  const Shape& filter = context.shape(1);
  if (filter[3] != input[4])
    return context.error("filter {} expects {} input channels, input {} has {}", shape_string(filter), filter[3],
                         shape_string(input), input[4]);
  LEANRT_ASSIGN_OR_RETURN(Window3D window, window_3d(context, input, filter.data()));
  return std::vector<ValueType>{{context.dtype(0),
                                 {input[0], window.axes[0].output, window.axes[1].output, window.axes[2].output, filter[4]}}};
}

Expected<std::vector<ValueType>> infer_pool3d(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  LEANRT_RETURN_IF_ERROR(expect_ndhwc(context));
  auto ksize = context.attrs().get_or<std::vector<int64_t>>("ksize", {});
  if (ksize.size() != 5 || ksize[0] != 1 || ksize[4] != 1)
    return context.error("ksize [{}]: expected [1, depth, height, width, 1]", fmt::join(ksize, ", "));
  const Shape& input = context.shape(0);
  LEANRT_ASSIGN_OR_RETURN(Window3D window, window_3d(context, input, ksize.data() + 1));
  return std::vector<ValueType>{{context.dtype(0),
                                 {input[0], window.axes[0].output, window.axes[1].output, window.axes[2].output, input[4]}}};
}

}  // namespace leanrt::ir::ops
