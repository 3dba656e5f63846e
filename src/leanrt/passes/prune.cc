#include "leanrt/passes/passes.h"

namespace leanrt::passes {

void prune_to_outputs(ir::Graph& graph) {
  std::vector<bool> alive(graph.nodes.size(), false);
  std::vector<ir::NodeId> pending;
  for (ir::ValueId output : graph.outputs)
    if (graph.values[output].producer != ir::kNone) pending.push_back(graph.values[output].producer);
  while (!pending.empty()) {
    ir::NodeId node = pending.back();
    pending.pop_back();
    if (alive[node]) continue;
    alive[node] = true;
    for (ir::ValueId input : graph.nodes[node].inputs)
      if (input != ir::kNone && graph.values[input].producer != ir::kNone) pending.push_back(graph.values[input].producer);
  }
  graph.compact(alive);
}

}  // namespace leanrt::passes
