// Mul of a conv output by a per-channel constant: what infer_and_fold
// leaves of Keras' unfused batch norm (x * (gamma * rsqrt(var + eps)) + ...)
// and of other per-channel scalings. The scale moves into the filter and the
// bias: (conv(x, w) + b) * s = conv(x, w * s) + b * s.
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"

namespace leanrt::passes {

int fold_channel_scale(ir::Graph& graph) {
  using namespace fusion;
  std::vector<bool> alive(graph.nodes.size(), true);
  int folded = 0;
  for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph.nodes.size()); ++n) {
    const ir::Node& node = graph.nodes[n];
    if (!alive[n] || !is_conv(node) || has_activation(node) || has_residual(node) || has_batch_norm(node)) continue;
    const ir::ValueId produced = node.outputs[0];
    const ir::NodeId consumer = sole_consumer(graph, produced);
    if (consumer == ir::kNone) continue;
    const ir::Node& mul = graph.nodes[consumer];
    if (mul.op != "Mul" || mul.inputs.size() != 2) continue;
    const int other = mul.inputs[0] == produced ? 1 : 0;
    if (mul.inputs[1 - other] != produced) continue;
    if (graph.values[mul.outputs[0]].shape != graph.values[produced].shape) continue;
    const int64_t channels = output_channels(graph, node);
    auto scale = channel_vector(graph, mul.inputs[other], channels);
    if (!scale) continue;
    const int existing = bias_input(node);
    std::optional<std::vector<float>> bias;
    if (existing >= 0 && !(bias = channel_vector(graph, node.inputs[existing], channels))) continue;
    if (!scale_filter(graph, n, *scale)) continue;
    if (bias) {
      for (int64_t c = 0; c < channels; ++c) (*bias)[c] *= (*scale)[c];
      const ir::ValueId scaled = add_float_constant(graph, mul.name + "/bias", {channels}, *bias);
      graph.nodes[n].inputs[existing] = scaled;
    }
    absorb(graph, n, consumer, alive);
    ++folded;
  }
  graph.compact(alive);
  return folded;
}

}  // namespace leanrt::passes
