// Shape functions of batch_norm (FusedBatchNorm, V2, V3) and lrn.
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

}  // namespace leanrt::ir::ops
