// Shape function of top_k (TopKV2).
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {

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
