// Frozen GraphDefs: every weight is a Const in the graph itself.
#include "leanrt/import/tf/function_inliner.h"
#include "leanrt/import/tf/node_convert.h"
#include "leanrt/import/tf/op_registry.h"
#include "leanrt/import/tf/proto_io.h"
#include "leanrt/import/tf/tf_importer.h"

namespace leanrt::importer {
namespace {

// Graphs frozen from TF2 functions may still call library functions.
Expected<ir::Graph> import_graph_def(tfproto::GraphDef& graph_def, const std::string& source) {
  OpRegistry registry;
  registry.add_functions(graph_def.library());
  std::vector<tfproto::NodeDef> nodes(std::make_move_iterator(graph_def.mutable_node()->begin()),
                                      std::make_move_iterator(graph_def.mutable_node()->end()));
  graph_def.clear_node();
  if (nodes.empty()) return invalid_model("{}: the GraphDef has no nodes", source);
  mark_legacy_unknown_shapes(nodes, graph_def.versions().producer());
  for (auto& node : nodes) registry.apply_default_attrs(node);
  FunctionInliner inliner(graph_def.library(), registry, source);
  LEANRT_RETURN_IF_ERROR(inliner.inline_calls(nodes));
  LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, build_graph_from_nodes(std::move(nodes), {}, {source, {}}));
  name_inputs_as_tensors(graph);
  return graph;
}

}  // namespace

Expected<ir::Graph> load_tf_graphdef(const std::string& path) {
  tfproto::GraphDef graph_def;
  LEANRT_RETURN_IF_ERROR(parse_binary_proto(path, graph_def, "GraphDef"));
  return import_graph_def(graph_def, path);
}

Expected<ir::Graph> load_tf_graphdef_text(const std::string& path) {
  tfproto::GraphDef graph_def;
  LEANRT_RETURN_IF_ERROR(parse_text_proto(path, graph_def, "GraphDef"));
  return import_graph_def(graph_def, path);
}

}  // namespace leanrt::importer
