// Shape functions of the elementwise families: unary, binary (TF
// broadcasting), select, add_n, clip_by_value, bias_add, prelu, cast.
#include "leanrt/ir/ops/elementwise.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {
bool returns_bool(std::string_view op) {
  for (std::string_view name : {"IsNan", "IsInf", "IsFinite", "LogicalNot", "LogicalAnd", "LogicalOr", "Equal",
                                "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual"})
    if (op == name) return true;
  return false;
}

Expected<std::vector<ValueType>> infer_unary(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  DType dtype = returns_bool(context.node().op) ? DType::kBool : context.dtype(0);
  return std::vector<ValueType>{{dtype, context.shape(0)}};
}

Expected<ValueType> broadcast_inputs(const InferContext& context, int first, int last) {
  Shape shape = context.shape(first);
  for (int i = first + 1; i < last; ++i) {
    if (context.dtype(i) != context.dtype(first))
      return context.error("input {} is {} but input {} is {}: expected equal dtypes", i,
                           dtype_name(context.dtype(i)), first, dtype_name(context.dtype(first)));
    auto broadcast = broadcast_shapes(shape, context.shape(i));
    if (!broadcast)
      return context.error("input shapes {} and {} do not broadcast", shape_string(shape),
                           shape_string(context.shape(i)));
    shape = *broadcast;
  }
  return ValueType{context.dtype(first), shape};
}

Expected<std::vector<ValueType>> infer_binary(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_ASSIGN_OR_RETURN(ValueType result, broadcast_inputs(context, 0, 2));
  if (returns_bool(context.node().op)) result.dtype = DType::kBool;
  return std::vector<ValueType>{result};
}

// Select: condition, then, else. SelectV2 broadcasts all three; Select (v1)
// takes a condition of x's shape or a vector over x's first axis.
Expected<std::vector<ValueType>> infer_select(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(3));
  if (context.dtype(0) != DType::kBool)
    return context.error("condition: expected bool, found {}", dtype_name(context.dtype(0)));
  LEANRT_ASSIGN_OR_RETURN(ValueType result, broadcast_inputs(context, 1, 3));
  if (context.node().op == "SelectV2") {
    auto shape = broadcast_shapes(context.shape(0), result.shape);
    if (!shape)
      return context.error("condition {} does not broadcast with {}", shape_string(context.shape(0)),
                           shape_string(result.shape));
    result.shape = *shape;
    return std::vector<ValueType>{result};
  }
  const Shape& condition = context.shape(0);
  const Shape& x = context.shape(1);
  bool same = condition == x && x == context.shape(2);
  bool vector = condition.size() == 1 && !x.empty() && condition[0] == x[0] && x == context.shape(2);
  bool scalar = condition.empty() && x == context.shape(2);
  if (!same && !vector && !scalar)
    return context.error("condition {} with x {} and y {}: expected equal shapes or a vector over axis 0",
                         shape_string(condition), shape_string(x), shape_string(context.shape(2)));
  return std::vector<ValueType>{{result.dtype, x}};
}

Expected<std::vector<ValueType>> infer_add_n(const InferContext& context) {
  if (context.num_inputs() < 1) return context.error("expected at least 1 input, found 0");
  for (int i = 1; i < context.num_inputs(); ++i)
    if (context.shape(i) != context.shape(0) || context.dtype(i) != context.dtype(0))
      return context.error("input {} is {} {}: expected {} {} like input 0", i, shape_string(context.shape(i)),
                           dtype_name(context.dtype(i)), shape_string(context.shape(0)),
                           dtype_name(context.dtype(0)));
  return std::vector<ValueType>{{context.dtype(0), context.shape(0)}};
}

Expected<std::vector<ValueType>> infer_clip_by_value(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(3));
  for (int i = 1; i < 3; ++i) {
    auto shape = broadcast_shapes(context.shape(0), context.shape(i));
    if (!shape || *shape != context.shape(0))
      return context.error("input {} {}: expected a scalar or a shape broadcasting to {}", i,
                           shape_string(context.shape(i)), shape_string(context.shape(0)));
  }
  return std::vector<ValueType>{{context.dtype(0), context.shape(0)}};
}

// BiasAdd adds a vector along the channel axis (last for NHWC, 1 for NCHW).
Expected<std::vector<ValueType>> infer_bias_add(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_RETURN_IF_ERROR(context.expect_rank(1, 1));
  const Shape& x = context.shape(0);
  std::string format = context.attrs().get_or<std::string>("data_format", "NHWC");
  if (x.size() < 2) return context.error("input 0: expected rank >= 2, found {}", shape_string(x));
  int64_t channels = format == "NCHW" ? x[1] : x.back();
  if (context.shape(1)[0] != channels)
    return context.error("bias has {} values but the input {} ({}) has {} channels", context.shape(1)[0],
                         shape_string(x), format, channels);
  return std::vector<ValueType>{{context.dtype(0), x}};
}

// Prelu(x, alpha): alpha broadcasts against x.
Expected<std::vector<ValueType>> infer_prelu(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  auto shape = broadcast_shapes(context.shape(0), context.shape(1));
  if (!shape || *shape != context.shape(0))
    return context.error("alpha {} does not broadcast to x {}", shape_string(context.shape(1)),
                         shape_string(context.shape(0)));
  return std::vector<ValueType>{{context.dtype(0), context.shape(0)}};
}

Expected<std::vector<ValueType>> infer_cast(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  auto dtype = context.attrs().get<DType>("DstT");
  if (!dtype) return context.error("attr DstT: expected a dtype, found none");
  return std::vector<ValueType>{{*dtype, context.shape(0)}};
}

}  // namespace leanrt::ir::ops
