#include <string_view>

#include "leanrt/passes/passes.h"

namespace leanrt::passes {
namespace {

bool is_identity_like(std::string_view op) {
  return op == "Identity" || op == "StopGradient" || op == "Snapshot" || op == "PreventGradient" || op == "NoOp";
}

}  // namespace

void drop_identities(ir::Graph& graph) {
  std::vector<ir::ValueId> replacement(graph.values.size());
  for (size_t v = 0; v < replacement.size(); ++v) replacement[v] = static_cast<ir::ValueId>(v);
  std::vector<bool> alive(graph.nodes.size(), true);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const ir::Node& node = graph.nodes[n];
    if (!is_identity_like(node.op)) continue;
    alive[n] = false;
    if (node.inputs.empty() || node.outputs.empty()) continue;  // NoOp
    // Nodes are in topological order, so the input's replacement is final.
    replacement[node.outputs[0]] = replacement[node.inputs[0]];
  }
  for (ir::Node& node : graph.nodes)
    for (ir::ValueId& input : node.inputs)
      if (input != ir::kNone) input = replacement[input];
  for (ir::ValueId& output : graph.outputs) output = replacement[output];
  graph.compact(alive);
}

}  // namespace leanrt::passes
