// Add/AddV2 of a conv output and another tensor of the same shape (a
// residual connection) becomes the conv's residual input, which oneDNN adds
// as a sum or binary post-op while the output is still in registers. Two
// forms keep the order TF computes in:
// - a conv with its bias and no activation yet: [BiasAdd, Add], the
//   activation fused after it comes after the residual (ResNet's
//   conv + bias + skip, then Relu);
// - a conv with its activation: [..., <activation>, Add], the residual added
//   to the activated output (two activated branches summed: selfie's and
//   meet's decoders). compile runs the pass before and after
//   fuse_activation, which makes the second form.
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"

namespace leanrt::passes {

int fuse_residual_add(ir::Graph& graph) {
  using namespace fusion;
  std::vector<bool> alive(graph.nodes.size(), true);
  int fused = 0;
  for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph.nodes.size()); ++n) {
    const ir::Node& node = graph.nodes[n];
    if (!alive[n] || !is_conv(node) || has_residual(node) || has_batch_norm(node)) continue;
    if (!has_activation(node) && bias_input(node) < 0) continue;
    // oneDNN 2.6 has no fast convolution for a prelu post-op followed by a
    // sum or binary one (onednn_conv_residual_test): that Add stays apart.
    if (has_activation(node) && fused_ops(node).back() == "Prelu") continue;
    const ir::ValueId produced = node.outputs[0];
    const ir::NodeId consumer = sole_consumer(graph, produced);
    if (consumer == ir::kNone) continue;
    const ir::Node& add = graph.nodes[consumer];
    if (!is_add(add)) continue;
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
