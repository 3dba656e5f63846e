// Shape function of einsum (Einsum); the equation itself is parsed in einsum_equation.cc.
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/einsum_equation.h"

namespace leanrt::ir::ops {

Expected<std::vector<ValueType>> infer_einsum(const InferContext& context) {
  std::vector<Shape> shapes;
  for (int i = 0; i < context.num_inputs(); ++i) shapes.push_back(context.shape(i));
  auto plan = plan_einsum(context.attrs().get_or<std::string>("equation", ""), shapes);
  if (!plan) return plan.status().with_context(context.where());
  return std::vector<ValueType>{{context.dtype(0), plan->output_shape}};
}

}  // namespace leanrt::ir::ops
