// Shape functions of gather (GatherV2 with batch_dims, Gather), gather_nd
// and sparse_to_dense.
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {

Expected<std::vector<ValueType>> infer_gather(const InferContext& context) {
  const bool v2 = context.node().op == "GatherV2";
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(v2 ? 3 : 2));
  const Shape& params = context.shape(0);
  const Shape& indices = context.shape(1);
  int64_t axis_value = 0;
  if (v2) {
    LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(2));
    if (axes.size() != 1) return context.error("axis: expected a scalar, found {} values", axes.size());
    axis_value = axes[0];
  }
  auto axis = normalize_axis(axis_value, static_cast<int>(params.size()));
  if (!axis) return context.error("axis {} is out of range for params {}", axis_value, shape_string(params));
  int64_t batch_dims = context.attrs().get_or<int64_t>("batch_dims", 0);
  if (batch_dims < 0) batch_dims += static_cast<int64_t>(indices.size());
  if (batch_dims < 0 || batch_dims > *axis || batch_dims > static_cast<int64_t>(indices.size()))
    return context.error("batch_dims {} must be in [0, min(axis {}, rank of indices {})]", batch_dims, *axis,
                         indices.size());
  for (int64_t d = 0; d < batch_dims; ++d)
    if (params[d] != indices[d])
      return context.error("batch dim {} differs: params {} vs indices {}", d, shape_string(params),
                           shape_string(indices));
  if (dtype_is_integer(context.dtype(1)) == false)
    return context.error("indices: expected int32 or int64, found {}", dtype_name(context.dtype(1)));
  Shape output(params.begin(), params.begin() + *axis);
  output.insert(output.end(), indices.begin() + batch_dims, indices.end());
  output.insert(output.end(), params.begin() + *axis + 1, params.end());
  return std::vector<ValueType>{{context.dtype(0), output}};
}

Expected<std::vector<ValueType>> infer_gather_nd(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  const Shape& params = context.shape(0);
  const Shape& indices = context.shape(1);
  if (indices.empty()) return context.error("indices: expected rank >= 1, found a scalar");
  if (context.attrs().get_or<int64_t>("batch_dims", 0) != 0)
    return unsupported("{}: batch_dims != 0 is not supported", context.where());
  const int64_t depth = indices.back();
  if (depth > static_cast<int64_t>(params.size()))
    return context.error("indices {} index {} axes but params {} has rank {}", shape_string(indices), depth,
                         shape_string(params), params.size());
  Shape output(indices.begin(), indices.end() - 1);
  output.insert(output.end(), params.begin() + depth, params.end());
  return std::vector<ValueType>{{context.dtype(0), output}};
}

// SparseToDense(sparse_indices, output_shape, sparse_values, default_value).
Expected<std::vector<ValueType>> infer_sparse_to_dense(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(4));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, context.const_ints(1));
  for (int64_t dim : dims)
    if (dim < 0) return context.error("output_shape [{}] has a negative size", fmt::join(dims, ", "));
  if (!context.shape(3).empty()) return context.error("default_value: expected a scalar, found {}", shape_string(context.shape(3)));
  return std::vector<ValueType>{{context.dtype(2), Shape(dims.begin(), dims.end())}};
}

}  // namespace leanrt::ir::ops
