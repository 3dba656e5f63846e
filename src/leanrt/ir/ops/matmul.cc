// Shape function of matmul: MatMul, _FusedMatMul (2-D, transpose_a/b) and
// BatchMatMul V1/V2/V3 (adj_x/adj_y; V2 and V3 broadcast the batch axes).
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {

Expected<std::vector<ValueType>> infer_matmul(const InferContext& context) {
  if (context.num_inputs() < 2) return context.error("expected at least 2 inputs, found {}", context.num_inputs());
  const std::string& op = context.node().op;
  const bool batched = op.starts_with("BatchMatMul");
  const Shape& a = context.shape(0);
  const Shape& b = context.shape(1);
  if (!batched) {
    LEANRT_RETURN_IF_ERROR(context.expect_rank(0, 2));
    LEANRT_RETURN_IF_ERROR(context.expect_rank(1, 2));
  } else if (a.size() < 2 || b.size() < 2) {
    return context.error("inputs {} and {}: expected rank >= 2", shape_string(a), shape_string(b));
  }
  const bool transpose_a = context.attrs().get_or<bool>(batched ? "adj_x" : "transpose_a", false);
  const bool transpose_b = context.attrs().get_or<bool>(batched ? "adj_y" : "transpose_b", false);
  const size_t rank_a = a.size(), rank_b = b.size();
  int64_t rows = transpose_a ? a[rank_a - 1] : a[rank_a - 2];
  int64_t inner_a = transpose_a ? a[rank_a - 2] : a[rank_a - 1];
  int64_t inner_b = transpose_b ? b[rank_b - 1] : b[rank_b - 2];
  int64_t columns = transpose_b ? b[rank_b - 2] : b[rank_b - 1];
  if (inner_a != inner_b)
    return context.error("inner dimensions differ: a {} (transposed {}) vs b {} (transposed {})", shape_string(a),
                         transpose_a, shape_string(b), transpose_b);
  Shape batch;
  if (batched) {
    Shape batch_a(a.begin(), a.end() - 2), batch_b(b.begin(), b.end() - 2);
    if (op == "BatchMatMul" && batch_a != batch_b)
      return context.error("batch dims {} and {}: BatchMatMul (v1) expects equal batch dims", shape_string(batch_a),
                           shape_string(batch_b));
    auto broadcast = broadcast_shapes(batch_a, batch_b);
    if (!broadcast)
      return context.error("batch dims {} and {} do not broadcast", shape_string(batch_a), shape_string(batch_b));
    batch = *broadcast;
  }
  batch.push_back(rows);
  batch.push_back(columns);
  DType dtype = context.attrs().get_or<DType>("Tout", context.dtype(0));
  return std::vector<ValueType>{{dtype, batch}};
}

}  // namespace leanrt::ir::ops
