#include "leanrt/import/graph_builder.h"

#include "leanrt/import/tf1_control_flow.h"

#include <charconv>
#include <unordered_map>

namespace leanrt::importer {

TensorReference parse_tensor_reference(const std::string& text) {
  TensorReference reference;
  std::string_view view = text;
  if (!view.empty() && view[0] == '^') {
    reference.control = true;
    view.remove_prefix(1);
  }
  auto colon = view.rfind(':');
  if (colon != std::string_view::npos) {
    int index = 0;
    auto [end, error] = std::from_chars(view.data() + colon + 1, view.data() + view.size(), index);
    if (error == std::errc() && end == view.data() + view.size() && colon + 1 < view.size()) {
      reference.node = std::string(view.substr(0, colon));
      reference.output = index;
      return reference;
    }
  }
  reference.node = std::string(view);
  return reference;
}

Expected<ir::Graph> build_graph(std::vector<ImportedNode> nodes, const GraphDeclaration& declaration) {
  ir::Graph graph;
  graph.source = declaration.source;
  std::unordered_map<std::string, size_t> index_of;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!index_of.emplace(nodes[i].name, i).second)
      return invalid_model("{}: two nodes are named \"{}\": expected unique node names", graph.source, nodes[i].name);
  }
  // How many outputs each node needs: the highest index anything reads.
  std::vector<int> output_count(nodes.size(), 1);
  auto note_use = [&](const TensorReference& reference) -> Status {
    auto found = index_of.find(reference.node);
    if (found == index_of.end()) return Status::ok();  // reported below with the reader's name
    output_count[found->second] = std::max(output_count[found->second], reference.output + 1);
    return Status::ok();
  };
  for (const ImportedNode& node : nodes)
    for (const std::string& input : node.inputs) LEANRT_RETURN_IF_ERROR(note_use(parse_tensor_reference(input)));
  for (const std::string& output : declaration.outputs) LEANRT_RETURN_IF_ERROR(note_use(parse_tensor_reference(output)));

  // First pass: a value for every node output (constants and inputs included).
  std::vector<std::vector<ir::ValueId>> values_of(nodes.size());
  std::vector<ir::NodeId> node_id(nodes.size(), ir::kNone);
  for (size_t i = 0; i < nodes.size(); ++i) {
    ImportedNode& node = nodes[i];
    if (node.op == "Const") {
      if (!node.constant)
        return invalid_model("{}: Const node \"{}\" has no value", graph.source, node.name);
      values_of[i].push_back(graph.add_constant(node.name, node.constant_dtype, node.constant_shape,
                                                std::move(*node.constant)));
    } else if (node.op == "Placeholder") {
      auto dtype = node.attrs.get<DType>("dtype");
      if (!dtype) return invalid_model("{}: Placeholder \"{}\" has no dtype attr", graph.source, node.name);
      Shape shape = node.attrs.get_or<ir::ShapeAttr>("shape", {}).dims;
      values_of[i].push_back(graph.add_input(node.name, *dtype, shape));
      // No shape attr at all means "any shape", as in TensorFlow.
      graph.values[values_of[i].back()].unknown_rank =
          node.attrs.get_or<bool>("unknown_rank", false) || !node.attrs.has("shape");
    } else {
      node_id[i] = graph.add_node(node.name, node.op, {}, output_count[i], std::move(node.attrs));
      values_of[i] = graph.nodes[node_id[i]].outputs;
    }
  }
  auto resolve = [&](const TensorReference& reference, const std::string& reader) -> Expected<ir::ValueId> {
    auto found = index_of.find(reference.node);
    if (found == index_of.end())
      return invalid_model("{}: {} reads \"{}\", but no node of that name exists", graph.source, reader,
                           reference.node);
    const auto& outputs = values_of[found->second];
    if (reference.output >= static_cast<int>(outputs.size()))
      return invalid_model("{}: {} reads output {} of \"{}\", which has {} output(s)", graph.source, reader,
                           reference.output, reference.node, outputs.size());
    return outputs[reference.output];
  };
  // Second pass: edges.
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (node_id[i] == ir::kNone) continue;
    for (const std::string& input : nodes[i].inputs) {
      TensorReference reference = parse_tensor_reference(input);
      if (reference.control) continue;  // inference needs data edges only
      LEANRT_ASSIGN_OR_RETURN(ir::ValueId value,
                              resolve(reference, fmt::format("node \"{}\" ({})", nodes[i].name, nodes[i].op)));
      graph.nodes[node_id[i]].inputs.push_back(value);
    }
  }
  if (!declaration.outputs.empty()) {
    for (const std::string& output : declaration.outputs) {
      LEANRT_ASSIGN_OR_RETURN(ir::ValueId value, resolve(parse_tensor_reference(output), "the declared outputs"));
      graph.outputs.push_back(value);
      graph.output_names.push_back(output);
    }
  } else {
    auto consumers = graph.consumers();
    for (const ir::Node& node : graph.nodes) {
      if (node.op == "NoOp") continue;
      for (ir::ValueId output : node.outputs)
        if (consumers[output].empty()) {
          graph.outputs.push_back(output);
          graph.output_names.push_back(graph.values[output].name);
        }
    }
  }
  rewrite_tensor_arrays(graph);
  LEANRT_RETURN_IF_ERROR(structure_tf1_loops(graph));
  LEANRT_RETURN_IF_ERROR(graph.sort_topologically());
  return graph;
}

}  // namespace leanrt::importer
