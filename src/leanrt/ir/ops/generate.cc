// Shape functions of the families that make tensors from shapes and
// scalars: fill (Fill), fill_like (ZerosLike, OnesLike), shape (Shape,
// Size, Rank), range (Range).
#include <cmath>

#include "leanrt/ir/op_table.h"

namespace leanrt::ir::ops {

Expected<std::vector<ValueType>> infer_fill(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, context.const_ints(0));
  for (int64_t dim : dims)
    if (dim < 0) return context.error("dims [{}] has a negative size", fmt::join(dims, ", "));
  if (!context.shape(1).empty()) return context.error("value: expected a scalar, found {}", shape_string(context.shape(1)));
  return std::vector<ValueType>{{context.dtype(1), Shape(dims.begin(), dims.end())}};
}

Expected<std::vector<ValueType>> infer_fill_like(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  return std::vector<ValueType>{{context.dtype(0), context.shape(0)}};
}

Expected<std::vector<ValueType>> infer_shape(const InferContext& context) {
  const std::string& op = context.node().op;
  if (op == "Shape") {
    if (context.num_inputs() < 1) return context.error("expected 1 input, found 0");
    DType dtype = context.attrs().get_or<DType>("out_type", DType::kI32);
    return std::vector<ValueType>{{dtype, {static_cast<int64_t>(context.shape(0).size())}}};
  }
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  DType dtype = op == "Size" ? context.attrs().get_or<DType>("out_type", DType::kI32) : DType::kI32;
  return std::vector<ValueType>{{dtype, {}}};
}

// Range(start, limit, delta): TF's RangeOp sizes the result as
// ceil(|limit - start| / |delta|) (integer arithmetic for integer types).
Expected<std::vector<ValueType>> infer_range(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(3));
  LEANRT_ASSIGN_OR_RETURN(std::vector<double> start, context.const_floats(0));
  LEANRT_ASSIGN_OR_RETURN(std::vector<double> limit, context.const_floats(1));
  LEANRT_ASSIGN_OR_RETURN(std::vector<double> delta, context.const_floats(2));
  if (start.size() != 1 || limit.size() != 1 || delta.size() != 1)
    return context.error("start, limit and delta: expected scalars");
  if (delta[0] == 0) return context.error("delta is 0");
  if ((delta[0] > 0 && start[0] > limit[0]) || (delta[0] < 0 && start[0] < limit[0]))
    return context.error("start {} and limit {} are not ordered by delta {}", start[0], limit[0], delta[0]);
  DType dtype = context.attrs().get_or<DType>("Tidx", context.dtype(0));
  int64_t size = 0;
  if (dtype_is_integer(dtype)) {
    int64_t span = std::llabs(static_cast<int64_t>(limit[0]) - static_cast<int64_t>(start[0]));
    int64_t step = std::llabs(static_cast<int64_t>(delta[0]));
    size = (span + step - 1) / step;
  } else {
    size = static_cast<int64_t>(std::ceil(std::abs((limit[0] - start[0]) / delta[0])));
  }
  return std::vector<ValueType>{{dtype, {size}}};
}

}  // namespace leanrt::ir::ops
