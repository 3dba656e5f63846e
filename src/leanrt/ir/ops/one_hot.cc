// Shape function of one_hot (OneHot).
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {

// OneHot(indices, depth, on_value, off_value), attr axis (-1 = last).
Expected<std::vector<ValueType>> infer_one_hot(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(4));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> depth, context.const_ints(1));
  if (depth.size() != 1 || depth[0] < 0) return context.error("depth: expected one non-negative value");
  const Shape& indices = context.shape(0);
  const int64_t axis = context.attrs().get_or<int64_t>("axis", -1);
  if (axis < -1 || axis > static_cast<int64_t>(indices.size()))
    return context.error("axis {} is out of range for indices {}", axis, shape_string(indices));
  Shape output = indices;
  output.insert(axis == -1 ? output.end() : output.begin() + axis, depth[0]);
  return std::vector<ValueType>{{context.dtype(2), output}};
}

}  // namespace leanrt::ir::ops
