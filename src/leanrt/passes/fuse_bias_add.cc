// BiasAdd, or Add/AddV2/Sub of a per-channel constant, after a conv or 2-D
// MatMul becomes the node's fused BiasAdd; a node that already has one gets
// the constants summed into a new bias.
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"

namespace leanrt::passes {
namespace {

using namespace fusion;

// The per-channel constant the consumer adds to the producer's output
// (negated for Sub), or nullopt.
std::optional<std::vector<float>> added_vector(const ir::Graph& graph, const ir::Node& consumer, ir::ValueId produced,
                                               int64_t channels) {
  const bool add = consumer.op == "Add" || consumer.op == "AddV2" || consumer.op == "BiasAdd";
  if ((!add && consumer.op != "Sub") || consumer.inputs.size() != 2) return std::nullopt;
  if (consumer.op == "BiasAdd" && consumer.attrs.get_or<std::string>("data_format", "NHWC") != "NHWC")
    return std::nullopt;
  const int other = consumer.inputs[0] == produced ? 1 : 0;
  if (consumer.inputs[1 - other] != produced) return std::nullopt;
  if (consumer.op == "Sub" && other == 0) return std::nullopt;  // c - x is not a bias
  auto values = channel_vector(graph, consumer.inputs[other], channels);
  if (values && consumer.op == "Sub")
    for (float& value : *values) value = -value;
  return values;
}

}  // namespace

int fuse_bias_add(ir::Graph& graph) {
  std::vector<bool> alive(graph.nodes.size(), true);
  int fused = 0;
  for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph.nodes.size()); ++n) {
    ir::Node& node = graph.nodes[n];
    if (!alive[n] || !(is_conv(node) || is_matmul(node)) || has_activation(node) || has_residual(node) ||
        has_batch_norm(node))
      continue;
    const ir::ValueId produced = node.outputs[0];
    const ir::NodeId consumer = sole_consumer(graph, produced);
    if (consumer == ir::kNone) continue;
    const int64_t channels = output_channels(graph, node);
    auto added = added_vector(graph, graph.nodes[consumer], produced, channels);
    if (!added || graph.values[graph.nodes[consumer].outputs[0]].shape != graph.values[produced].shape) continue;
    const int existing = bias_input(node);
    if (existing >= 0) {
      auto bias = channel_vector(graph, node.inputs[existing], channels);
      if (!bias) continue;
      for (int64_t c = 0; c < channels; ++c) (*added)[c] += (*bias)[c];
    }
    const ir::ValueId bias = add_float_constant(graph, graph.nodes[consumer].name + "/bias", {channels}, *added);
    ir::Node& target = graph.nodes[n];  // add_constant does not move nodes, but be explicit
    if (existing >= 0) {
      target.inputs[existing] = bias;
    } else {
      target.inputs.insert(target.inputs.begin() + 2, bias);
      auto ops = fused_ops(target);
      ops.insert(ops.begin(), "BiasAdd");
      set_fused_ops(target, ops);
    }
    absorb(graph, n, consumer, alive);
    ++fused;
  }
  graph.compact(alive);
  return fused;
}

}  // namespace leanrt::passes
