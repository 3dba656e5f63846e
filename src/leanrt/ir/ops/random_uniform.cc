// Shape function of random_uniform (RandomUniform).
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {

Expected<std::vector<ValueType>> infer_random_uniform(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, context.const_ints(0));
  DType dtype = context.attrs().get_or<DType>("dtype", DType::kF32);
  if (!dtype_is_float(dtype)) return context.error("dtype {}: expected a float type", dtype_name(dtype));
  return std::vector<ValueType>{{dtype, Shape(dims.begin(), dims.end())}};
}

}  // namespace leanrt::ir::ops
