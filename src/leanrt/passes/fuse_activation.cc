// An activation after a conv or MatMul without one becomes its fused
// activation (TF's _FusedConv2D / _FusedMatMul fused_ops tail), computed by
// oneDNN as an eltwise or prelu post-op.
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"

namespace leanrt::passes {
namespace {

bool fusable_activation(const std::string& op) {
  return op == "Relu" || op == "Relu6" || op == "LeakyRelu" || op == "Elu" || op == "Sigmoid" || op == "Tanh" ||
         op == "Prelu";
}

}  // namespace

int fuse_activation(ir::Graph& graph) {
  using namespace fusion;
  std::vector<bool> alive(graph.nodes.size(), true);
  int fused = 0;
  for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph.nodes.size()); ++n) {
    const ir::Node& node = graph.nodes[n];
    if (!alive[n] || !(is_conv(node) || is_matmul(node)) || has_activation(node)) continue;
    const ir::ValueId produced = node.outputs[0];
    const ir::NodeId consumer = sole_consumer(graph, produced);
    if (consumer == ir::kNone) continue;
    const ir::Node& activation = graph.nodes[consumer];
    if (!fusable_activation(activation.op) || activation.inputs[0] != produced) continue;
    if (graph.values[activation.outputs[0]].dtype != DType::kF32) continue;
    std::optional<ir::ValueId> alpha;
    if (activation.op == "Prelu") {
      // Prelu's alpha must be one value per output channel (or one for all).
      if (activation.inputs.size() != 2 || !channel_vector(graph, activation.inputs[1], output_channels(graph, node)))
        continue;
      alpha = activation.inputs[1];
    }
    const std::string op = activation.op;
    const float leaky_alpha = activation.attrs.get_or<float>("alpha", 0.2f);
    ir::Node& target = graph.nodes[n];
    if (alpha) target.inputs.push_back(*alpha);
    auto ops = fused_ops(target);
    ops.push_back(op);
    set_fused_ops(target, ops);
    if (op == "LeakyRelu") target.attrs.set("leakyrelu_alpha", leaky_alpha);
    absorb(graph, n, consumer, alive);
    ++fused;
  }
  graph.compact(alive);
  return fused;
}

}  // namespace leanrt::passes
