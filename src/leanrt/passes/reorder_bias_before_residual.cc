// Grappler's AddOpsRewrite leaves a residual block's sum as
//
//   AddV2(c, AddN(conv(x), skip))        c a per-channel constant (the bias)
//
// (handlandmark, meet, selfie: the conv has no bias of its own). Summed in
// the other order, (conv(x) + c) + skip, it is a conv with a bias and a
// residual, which fuse_bias_add and fuse_residual_add then make one oneDNN
// step instead of three. The order differs from TF's by a rounding (an ulp
// or so of the sum), within the fast kernels' tolerance.
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"

namespace leanrt::passes {

int reorder_bias_before_residual(ir::Graph& graph) {
  using namespace fusion;
  int reordered = 0;
  for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph.nodes.size()); ++n) {
    const ir::Node& sum = graph.nodes[n];
    if (sum.op != "AddN" || sum.inputs.size() != 2) continue;
    const ir::ValueId total = sum.outputs[0];
    const ir::NodeId add_id = sole_consumer(graph, total);
    if (add_id == ir::kNone) continue;
    const ir::Node& add = graph.nodes[add_id];
    if (!is_add(add)) continue;
    const ir::ValueId constant = other_input(add, total);
    // The conv operand: produced by a conv this sum alone reads.
    int conv_side = -1;
    for (int side = 0; side < 2 && conv_side < 0; ++side) {
      const ir::NodeId producer = graph.values[sum.inputs[side]].producer;
      if (producer != ir::kNone && is_conv(graph.nodes[producer]) && !has_activation(graph.nodes[producer]) &&
          !has_residual(graph.nodes[producer]) && sole_consumer(graph, sum.inputs[side]) == n)
        conv_side = side;
    }
    if (conv_side < 0) continue;
    const ir::ValueId conv_out = sum.inputs[conv_side], skip = sum.inputs[1 - conv_side];
    const Shape& shape = graph.values[total].shape;
    if (shape.empty() || graph.values[conv_out].shape != shape || graph.values[skip].shape != shape ||
        graph.values[add.outputs[0]].shape != shape || graph.values[total].dtype != DType::kF32)
      continue;
    if (!channel_vector(graph, constant, shape.back())) continue;
    // AddN(conv, skip) -> AddV2(conv, c); AddV2(c, AddN) -> AddV2(that, skip).
    ir::Node& biased = graph.nodes[n];
    biased.op = "AddV2";
    biased.inputs = {conv_out, constant};
    biased.attrs = ir::AttrMap();
    ir::Node& residual = graph.nodes[add_id];
    residual.op = "AddV2";
    residual.inputs = {total, skip};
    ++reordered;
  }
  return reordered;
}

}  // namespace leanrt::passes
