// Shape function of scatter_nd (ScatterNd).
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {

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

}  // namespace leanrt::ir::ops
