// FusedBatchNorm / FusedBatchNormV3 in inference mode after a convolution:
// y = (conv(x, w) + b - mean) * gamma / sqrt(var + eps) + beta
//   = conv(x, w * s) + (b - mean) * s + beta,  s = gamma / sqrt(var + eps)
// (TF's FusedBatchNorm kernel, is_training false). The batch norm's other
// outputs (batch statistics) must be unread. Runs twice: before shape
// inference on a bare conv, and in fuse_for_fast_kernels' folding rounds,
// where a conv -> BiasAdd -> batch norm chain (Keras' Conv2D(use_bias=True)
// then BatchNormalization) has become a conv with a fused bias first.
#include <cmath>

#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"

namespace leanrt::passes {
namespace {

using namespace fusion;

bool is_batch_norm(const ir::Node& node) { return node.op == "FusedBatchNorm" || node.op == "FusedBatchNormV3"; }

// Output channels of a conv from its filter (shapes may not be inferred yet).
int64_t filter_channels(const ir::Graph& graph, const ir::Node& conv) {
  const Shape& filter = graph.values[conv.inputs[1]].shape;
  if (filter.size() != 4) return 0;
  return is_depthwise(conv) ? filter[2] * filter[3] : filter[3];
}

bool extra_outputs_unread(const ir::Graph& graph, const ir::Node& batch_norm) {
  for (size_t k = 1; k < batch_norm.outputs.size(); ++k)
    for (const ir::Node& node : graph.nodes)
      for (ir::ValueId input : node.inputs)
        if (input == batch_norm.outputs[k]) return false;
  for (size_t k = 1; k < batch_norm.outputs.size(); ++k)
    for (ir::ValueId output : graph.outputs)
      if (output == batch_norm.outputs[k]) return false;
  return true;
}

}  // namespace

int fold_batch_norm(ir::Graph& graph) {
  std::vector<bool> alive(graph.nodes.size(), true);
  int folded = 0;
  for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph.nodes.size()); ++n) {
    const ir::Node& node = graph.nodes[n];
    if (!alive[n] || !is_conv(node) || node.inputs.size() < 2 || has_activation(node) || has_residual(node) ||
        has_batch_norm(node))
      continue;
    const ir::ValueId produced = node.outputs[0];
    const ir::NodeId consumer = sole_consumer(graph, produced);
    if (consumer == ir::kNone) continue;
    const ir::Node& batch_norm = graph.nodes[consumer];
    if (!is_batch_norm(batch_norm) || batch_norm.inputs.size() < 5 || batch_norm.inputs[0] != produced) continue;
    if (batch_norm.attrs.get_or<bool>("is_training", true)) continue;
    if (batch_norm.attrs.get_or<std::string>("data_format", "NHWC") != "NHWC") continue;
    if (!extra_outputs_unread(graph, batch_norm)) continue;
    const int64_t channels = filter_channels(graph, node);
    std::optional<std::vector<float>> parts[4];
    bool all_constant = channels > 0;
    for (int p = 0; p < 4 && all_constant; ++p) all_constant = (parts[p] = channel_vector(graph, batch_norm.inputs[1 + p], channels)).has_value();
    if (!all_constant) continue;
    const int existing = bias_input(node);
    std::vector<float> bias(channels, 0.0f);
    if (existing >= 0) {
      auto current = channel_vector(graph, node.inputs[existing], channels);
      if (!current) continue;
      bias = *current;
    }
    const float epsilon = batch_norm.attrs.get_or<float>("epsilon", 0.001f);  // TF's default
    std::vector<float> scale(channels);
    for (int64_t c = 0; c < channels; ++c) {
      scale[c] = (*parts[0])[c] / std::sqrt((*parts[3])[c] + epsilon);
      bias[c] = (bias[c] - (*parts[2])[c]) * scale[c] + (*parts[1])[c];
    }
    if (!scale_filter(graph, n, scale)) continue;
    const ir::ValueId folded_bias = add_float_constant(graph, batch_norm.name + "/folded_bias", {channels}, bias);
    ir::Node& target = graph.nodes[n];
    if (existing >= 0) {
      target.inputs[existing] = folded_bias;
    } else {
      target.inputs.insert(target.inputs.begin() + 2, folded_bias);
      auto ops = fused_ops(target);
      ops.insert(ops.begin(), "BiasAdd");
      set_fused_ops(target, ops);
    }
    // Only output 0 is read: move it onto the conv, drop the rest.
    const ir::ValueId result = graph.nodes[consumer].outputs[0];
    graph.nodes[consumer].outputs.resize(1);
    graph.nodes[consumer].outputs[0] = result;
    absorb(graph, n, consumer, alive);
    ++folded;
  }
  graph.compact(alive);
  return folded;
}

}  // namespace leanrt::passes
