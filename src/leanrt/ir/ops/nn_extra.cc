// Shape functions of batch_norm (FusedBatchNorm, V2, V3), lrn, conv3d,
// pool3d and space_batch (SpaceToBatchND, BatchToSpaceND).
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {

// FusedBatchNorm(x, scale, offset, mean, variance): y plus the batch
// statistics and reserve spaces TF returns (5 outputs; 6 for V3).
Expected<std::vector<ValueType>> infer_batch_norm(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(5));
  const Shape& x = context.shape(0);
  const std::string format = context.attrs().get_or<std::string>("data_format", "NHWC");
  if (x.size() != 4) return context.error("x: expected rank 4, found {}", shape_string(x));
  if (format != "NHWC" && format != "NCHW")
    return unsupported("{}: data_format \"{}\" is not supported (NHWC, NCHW)", context.where(), format);
  const int64_t channels = format == "NHWC" ? x[3] : x[1];
  for (int i = 1; i < 5; ++i) {
    const bool empty_statistic = (i >= 3) && num_elements(context.shape(i)) == 0;
    if (!empty_statistic && (context.shape(i).size() != 1 || context.shape(i)[0] != channels))
      return context.error("input {} is {}: expected [{}] (one value per channel of x {})", i,
                           shape_string(context.shape(i)), channels, shape_string(x));
  }
  std::vector<ValueType> outputs{{context.dtype(0), x}};
  const int statistics = context.node().op == "FusedBatchNormV3" ? 5 : 4;
  for (int k = 0; k < statistics; ++k) outputs.push_back({context.dtype(1), {channels}});
  return outputs;
}

Expected<std::vector<ValueType>> infer_lrn(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  LEANRT_RETURN_IF_ERROR(context.expect_rank(0, 4));
  return std::vector<ValueType>{{context.dtype(0), context.shape(0)}};
}

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

// SpaceToBatchND(x, block_shape [M], paddings [M, 2]) and
// BatchToSpaceND(x, block_shape [M], crops [M, 2]) over the M axes after
// the batch axis.
Expected<std::vector<ValueType>> infer_space_batch(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(3));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> block, context.const_ints(1));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> pads, context.const_ints(2));
  const Shape& input = context.shape(0);
  const size_t spatial = block.size();
  if (spatial == 0 || input.size() < spatial + 1 || pads.size() != 2 * spatial)
    return context.error("block_shape [{}] and paddings/crops [{}] do not fit input {}", fmt::join(block, ", "),
                         fmt::join(pads, ", "), shape_string(input));
  int64_t block_size = 1;
  for (int64_t b : block) {
    if (b < 1) return context.error("block_shape [{}] has a value < 1", fmt::join(block, ", "));
    block_size *= b;
  }
  Shape output = input;
  if (context.node().op == "SpaceToBatchND") {
    for (size_t i = 0; i < spatial; ++i) {
      const int64_t padded = input[i + 1] + pads[2 * i] + pads[2 * i + 1];
      if (pads[2 * i] < 0 || pads[2 * i + 1] < 0 || padded % block[i] != 0)
        return context.error("axis {} padded to {} is not divisible by block {}", i + 1, padded, block[i]);
      output[i + 1] = padded / block[i];
    }
    output[0] = input[0] * block_size;
  } else {
    if (input[0] % block_size != 0)
      return context.error("batch {} is not divisible by the block size {}", input[0], block_size);
    for (size_t i = 0; i < spatial; ++i) {
      output[i + 1] = input[i + 1] * block[i] - pads[2 * i] - pads[2 * i + 1];
      if (pads[2 * i] < 0 || pads[2 * i + 1] < 0 || output[i + 1] < 0)
        return context.error("crops [{}] are negative or exceed axis {}", fmt::join(pads, ", "), i + 1);
    }
    output[0] = input[0] / block_size;
  }
  return std::vector<ValueType>{{context.dtype(0), output}};
}

}  // namespace leanrt::ir::ops
