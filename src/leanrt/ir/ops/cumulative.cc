// Shape function of cumulative (Cumsum, Cumprod).
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {

Expected<std::vector<ValueType>> infer_cumulative(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axis, context.const_ints(1));
  if (axis.size() != 1 || !normalize_axis(axis[0], static_cast<int>(context.shape(0).size())))
    return context.error("axis is out of range for input {}", shape_string(context.shape(0)));
  return std::vector<ValueType>{{context.dtype(0), context.shape(0)}};
}

}  // namespace leanrt::ir::ops
