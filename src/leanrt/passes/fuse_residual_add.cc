// Add/AddV2 of a conv output and another tensor of the same shape (a
// residual connection) becomes the conv's residual input, which oneDNN adds
// as a binary post-op while the output is still in registers. The conv must
// have its bias fused already and no activation yet, so the order TF
// computes in (conv + bias + residual, then the activation) is kept.
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"

namespace leanrt::passes {

int fuse_residual_add(ir::Graph& graph) {
  using namespace fusion;
  std::vector<bool> alive(graph.nodes.size(), true);
  int fused = 0;
  for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph.nodes.size()); ++n) {
    const ir::Node& node = graph.nodes[n];
    if (!alive[n] || !is_conv(node) || bias_input(node) < 0 || has_activation(node) || has_residual(node) ||
        has_batch_norm(node))
      continue;
    const ir::ValueId produced = node.outputs[0];
    const ir::NodeId consumer = sole_consumer(graph, produced);
    if (consumer == ir::kNone) continue;
    const ir::Node& add = graph.nodes[consumer];
    if ((add.op != "Add" && add.op != "AddV2") || add.inputs.size() != 2) continue;
    const int other = add.inputs[0] == produced ? 1 : 0;
    const ir::ValueId residual = add.inputs[other];
    if (add.inputs[1 - other] != produced || residual == produced) continue;
    const ir::Value& residual_value = graph.values[residual];
    if (residual_value.is_constant() || residual_value.dtype != DType::kF32 ||
        residual_value.shape != graph.values[produced].shape)
      continue;
    ir::Node& target = graph.nodes[n];
    target.inputs.push_back(residual);
    auto ops = fused_ops(target);
    ops.push_back("Add");
    set_fused_ops(target, ops);
    absorb(graph, n, consumer, alive);
    ++fused;
  }
  graph.compact(alive);
  return fused;
}

}  // namespace leanrt::passes
