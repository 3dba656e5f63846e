// Shape functions of one_hot, random_uniform, cumulative (Cumsum,
// Cumprod), einsum, scatter_nd and top_k.
#include <map>

#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/einsum_equation.h"
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

Expected<std::vector<ValueType>> infer_random_uniform(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, context.const_ints(0));
  DType dtype = context.attrs().get_or<DType>("dtype", DType::kF32);
  if (!dtype_is_float(dtype)) return context.error("dtype {}: expected a float type", dtype_name(dtype));
  return std::vector<ValueType>{{dtype, Shape(dims.begin(), dims.end())}};
}

Expected<std::vector<ValueType>> infer_cumulative(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axis, context.const_ints(1));
  if (axis.size() != 1 || !normalize_axis(axis[0], static_cast<int>(context.shape(0).size())))
    return context.error("axis is out of range for input {}", shape_string(context.shape(0)));
  return std::vector<ValueType>{{context.dtype(0), context.shape(0)}};
}

Expected<std::vector<ValueType>> infer_einsum(const InferContext& context) {
  std::vector<Shape> shapes;
  for (int i = 0; i < context.num_inputs(); ++i) shapes.push_back(context.shape(i));
  auto plan = plan_einsum(context.attrs().get_or<std::string>("equation", ""), shapes);
  if (!plan) return plan.status().with_context(context.where());
  return std::vector<ValueType>{{context.dtype(0), plan->output_shape}};
}

// ScatterNd(indices [..., K], updates, shape).
Expected<std::vector<ValueType>> infer_scatter_nd(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(3));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, context.const_ints(2));
  const Shape& indices = context.shape(0);
  const Shape& updates = context.shape(1);
  Shape output(dims.begin(), dims.end());
  if (indices.empty()) return context.error("indices: expected rank >= 1");
  const int64_t depth = indices.back();
  Shape expected(indices.begin(), indices.end() - 1);
  if (depth > static_cast<int64_t>(output.size()))
    return context.error("indices {} index {} axes of shape {}", shape_string(indices), depth, shape_string(output));
  expected.insert(expected.end(), output.begin() + depth, output.end());
  if (updates != expected)
    return context.error("updates {}: expected {} for indices {} into {}", shape_string(updates), shape_string(expected),
                         shape_string(indices), shape_string(output));
  return std::vector<ValueType>{{context.dtype(1), output}};
}

// TopKV2(input, k): values and int32 indices of the k largest along the
// last axis.
Expected<std::vector<ValueType>> infer_top_k(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> k, context.const_ints(1));
  const Shape& input = context.shape(0);
  if (input.empty()) return context.error("input: expected rank >= 1, found a scalar");
  if (k.size() != 1 || k[0] < 0 || k[0] > input.back())
    return context.error("k: expected a value in [0, {}] for input {}", input.back(), shape_string(input));
  Shape output = input;
  output.back() = k[0];
  return std::vector<ValueType>{{context.dtype(0), output}, {DType::kI32, output}};
}

}  // namespace leanrt::ir::ops
