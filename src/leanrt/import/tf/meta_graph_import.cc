#include "leanrt/import/tf/meta_graph_import.h"

#include <set>

#include "leanrt/import/graph_builder.h"
#include "leanrt/import/tf/freeze_variables.h"
#include "leanrt/import/tf/function_inliner.h"
#include "leanrt/import/tf/graph_cut.h"
#include "leanrt/import/tf/node_convert.h"
#include "leanrt/import/tf/op_registry.h"
#include "leanrt/import/tf/training_graph.h"
#include "leanrt/import/tf/variable_keys.h"

namespace leanrt::importer {
namespace {

// What the graph computes and from what: a signature's tensors (sorted by
// key, as protobuf maps have no order), or a training graph's prediction.
struct Endpoints {
  std::vector<Feed> feeds;
  std::vector<std::string> outputs;      // tensor names users know
  std::vector<std::string> output_keys;  // the signature's keys, parallel to outputs
};

Expected<Endpoints> signature_endpoints(const tfproto::SignatureDef& signature, const std::string& source) {
  Endpoints endpoints;
  std::map<std::string, const tfproto::TensorInfo*> inputs;
  for (const auto& [key, info] : signature.inputs()) inputs[key] = &info;
  for (const auto& [key, info] : inputs) {
    if (info->name().empty())
      return unsupported("{}: signature input \"{}\" is a sparse or composite tensor: leanrt feeds dense tensors only",
                         source, key);
    endpoints.feeds.push_back({info->name(), info->dtype(), info->tensor_shape()});
  }
  std::map<std::string, const tfproto::TensorInfo*> outputs;
  for (const auto& [key, info] : signature.outputs()) outputs[key] = &info;
  for (const auto& [key, info] : outputs) {
    if (info->name().empty())
      return unsupported("{}: signature output \"{}\" is a sparse or composite tensor: leanrt computes dense tensors only",
                         source, key);
    endpoints.outputs.push_back(info->name());
    endpoints.output_keys.push_back(key);
  }
  return endpoints;
}

Endpoints training_endpoints(std::vector<tfproto::NodeDef>& nodes) {
  const std::vector<std::string> losses = differentiated_nodes(nodes);
  drop_training_nodes(nodes);
  Endpoints endpoints;
  endpoints.outputs = prediction_outputs(nodes, losses);
  return endpoints;
}

tfproto::NodeDef make_identity(const std::string& name, const std::string& input) {
  tfproto::NodeDef identity;
  identity.set_name(name);
  identity.set_op("Identity");
  identity.add_input(input);
  return identity;
}

// The references the graph builder resolves for each declared output. A
// top-level call's output 0 keeps its name through an Identity named after
// the call, so "StatefulPartitionedCall:0" still finds it; signature keys
// get an Identity of their own where the name is free.
std::vector<std::string> declare_outputs(std::vector<tfproto::NodeDef>& nodes, const Endpoints& endpoints,
                                         const FunctionInliner& inliner) {
  std::set<std::string> taken;
  for (const auto& node : nodes) taken.insert(node.name());
  const std::set<std::string> calls(inliner.top_level_calls().begin(), inliner.top_level_calls().end());
  std::vector<std::string> declared;
  for (const std::string& output : endpoints.outputs) {
    const TensorReference reference = parse_tensor_reference(output);
    const std::string resolved = inliner.resolve(output);
    if (calls.count(reference.node) && reference.output == 0 && !taken.count(reference.node)) {
      nodes.push_back(make_identity(reference.node, resolved));
      taken.insert(reference.node);
      declared.push_back(output);
    } else {
      declared.push_back(resolved);
    }
  }
  for (size_t i = 0; i < endpoints.output_keys.size(); ++i) {
    const std::string& key = endpoints.output_keys[i];
    if (taken.insert(key).second) nodes.push_back(make_identity(key, declared[i]));
  }
  return declared;
}

// Moves the graph's nodes out of the MetaGraph, with the attrs TensorFlow
// would fill in.
Expected<std::vector<tfproto::NodeDef>> take_nodes(tfproto::MetaGraphDef& meta_graph, const OpRegistry& registry,
                                                   const std::string& source) {
  auto& stored = *meta_graph.mutable_graph_def()->mutable_node();
  std::vector<tfproto::NodeDef> nodes(std::make_move_iterator(stored.begin()), std::make_move_iterator(stored.end()));
  stored.Clear();
  if (nodes.empty()) return invalid_model("{}: the MetaGraph's graph has no nodes", source);
  mark_legacy_unknown_shapes(nodes, meta_graph.graph_def().versions().producer());
  for (auto& node : nodes) registry.apply_default_attrs(node);
  return nodes;
}

// Inputs and outputs take the names users know: fed tensors' own names,
// the signature's output tensor names.
void name_endpoints(ir::Graph& graph, const Endpoints& endpoints,
                    const std::map<std::string, std::string>& fed_input_names) {
  if (!endpoints.outputs.empty()) graph.output_names = endpoints.outputs;
  for (std::string& name : graph.input_names) {
    auto user_name = fed_input_names.find(name);
    if (user_name != fed_input_names.end()) name = user_name->second;
  }
  name_inputs_as_tensors(graph);
}

}  // namespace

Expected<ir::Graph> import_meta_graph(const MetaGraphSource& input) {
  const std::string& source = input.source;
  tfproto::MetaGraphDef& meta_graph = *input.meta_graph;
  OpRegistry registry;
  registry.add(meta_graph.meta_info_def().stripped_op_list());
  registry.add_functions(meta_graph.graph_def().library());
  LEANRT_ASSIGN_OR_RETURN(std::vector<tfproto::NodeDef> nodes, take_nodes(meta_graph, registry, source));

  VariableKeys keys = restore_keys(nodes);
  if (input.bundle != nullptr && meta_graph.has_object_graph_def())
    LEANRT_RETURN_IF_ERROR(add_object_graph_keys(nodes, meta_graph.object_graph_def(), *input.bundle, keys));

  Endpoints endpoints;
  if (input.signature != nullptr) {
    LEANRT_ASSIGN_OR_RETURN(endpoints, signature_endpoints(*input.signature, source));
  } else {
    endpoints = training_endpoints(nodes);
  }
  // Without outputs (a graph of nothing but training machinery) there is
  // nothing to prune to; the graph builder then declares what nothing reads.
  const bool has_outputs = !endpoints.outputs.empty();
  if (has_outputs) prune_to_outputs(nodes, endpoints.outputs, endpoints.feeds);
  LEANRT_ASSIGN_OR_RETURN(auto fed_input_names, cut_at_feeds(nodes, endpoints.feeds, source));

  FunctionInliner inliner(meta_graph.graph_def().library(), registry, source);
  LEANRT_RETURN_IF_ERROR(inliner.inline_calls(nodes));
  std::vector<std::string> resolved;
  for (const std::string& output : endpoints.outputs) resolved.push_back(inliner.resolve(output));
  if (has_outputs) prune_to_outputs(nodes, resolved, {});
  LEANRT_ASSIGN_OR_RETURN(VariableValues values, freeze_variables(nodes, keys, input.bundle, source));
  const std::vector<std::string> declared = declare_outputs(nodes, endpoints, inliner);

  LEANRT_ASSIGN_OR_RETURN(ir::Graph graph,
                          build_graph_from_nodes(std::move(nodes), std::move(values), {source, declared}));
  name_endpoints(graph, endpoints, fed_input_names);
  return graph;
}

}  // namespace leanrt::importer
