// Shape functions of reduce (Sum, Mean, Max, Min, Prod, Any, All),
// arg_reduce (ArgMax, ArgMin) and softmax (Softmax, LogSoftmax).
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {

Expected<std::vector<ValueType>> infer_reduce(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(1));
  const Shape& input = context.shape(0);
  const int rank = static_cast<int>(input.size());
  std::vector<bool> reduced(rank, false);
  for (int64_t axis : axes) {
    auto normalized = normalize_axis(axis, rank);
    if (!normalized) return context.error("axis {} is out of range for input {}", axis, shape_string(input));
    reduced[*normalized] = true;
  }
  const bool keep_dims = context.attrs().get_or<bool>("keep_dims", false);
  Shape output;
  for (int axis = 0; axis < rank; ++axis) {
    if (!reduced[axis]) output.push_back(input[axis]);
    else if (keep_dims) output.push_back(1);
  }
  return std::vector<ValueType>{{context.dtype(0), output}};
}

Expected<std::vector<ValueType>> infer_arg_reduce(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(1));
  const Shape& input = context.shape(0);
  if (axes.size() != 1) return context.error("dimension: expected a scalar, found {} values", axes.size());
  auto axis = normalize_axis(axes[0], static_cast<int>(input.size()));
  if (!axis) return context.error("axis {} is out of range for input {}", axes[0], shape_string(input));
  if (input[*axis] == 0) return context.error("cannot reduce over empty axis {} of {}", *axis, shape_string(input));
  Shape output = input;
  output.erase(output.begin() + *axis);
  DType dtype = context.attrs().get_or<DType>("output_type", DType::kI64);
  return std::vector<ValueType>{{dtype, output}};
}

Expected<std::vector<ValueType>> infer_softmax(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  if (context.shape(0).empty()) return context.error("input: expected rank >= 1, found a scalar");
  return std::vector<ValueType>{{context.dtype(0), context.shape(0)}};
}

}  // namespace leanrt::ir::ops
