#include "leanrt/import/tf/variable_keys.h"

#include <deque>
#include <unordered_map>

#include "leanrt/import/graph_builder.h"
#include "leanrt/import/tf/proto_io.h"

namespace leanrt::importer {
namespace {

constexpr const char* kObjectGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH";

using NodeIndex = std::unordered_map<std::string, const tfproto::NodeDef*>;

NodeIndex index_nodes(const std::vector<tfproto::NodeDef>& nodes) {
  NodeIndex index;
  for (const auto& node : nodes) index.emplace(node.name(), &node);
  return index;
}

// Follows Identity nodes up to the tensor they pass on.
TensorReference through_identities(const NodeIndex& index, TensorReference reference) {
  for (int step = 0; step < 64; ++step) {
    auto node = index.find(reference.node);
    if (node == index.end() || node->second->op() != "Identity" || node->second->input_size() == 0) break;
    reference = parse_tensor_reference(node->second->input(0));
  }
  return reference;
}

// The string elements of a Const node's value.
std::vector<std::string> const_strings(const NodeIndex& index, const std::string& reference) {
  auto node = index.find(parse_tensor_reference(reference).node);
  if (node == index.end() || node->second->op() != "Const") return {};
  auto value = node->second->attr().find("value");
  if (value == node->second->attr().end()) return {};
  const auto& strings = value->second.tensor().string_val();
  return {strings.begin(), strings.end()};
}

bool is_variable_op(const std::string& op) { return op == "VariableV2" || op == "Variable" || op == "VarHandleOp"; }

}  // namespace

VariableKeys restore_keys(const std::vector<tfproto::NodeDef>& nodes) {
  const NodeIndex index = index_nodes(nodes);
  VariableKeys keys;
  for (const auto& node : nodes) {
    if ((node.op() != "Assign" && node.op() != "AssignVariableOp") || node.input_size() < 2) continue;
    const TensorReference variable = parse_tensor_reference(node.input(0));
    const TensorReference value = through_identities(index, parse_tensor_reference(node.input(1)));
    auto restore = index.find(value.node);
    auto target = index.find(variable.node);
    if (restore == index.end() || target == index.end() || !is_variable_op(target->second->op())) continue;
    if (restore->second->op() != "RestoreV2" || restore->second->input_size() < 2) continue;
    std::vector<std::string> names = const_strings(index, restore->second->input(1));
    if (value.output < static_cast<int>(names.size())) keys[variable.node] = names[static_cast<size_t>(value.output)];
  }
  return keys;
}

namespace {

// SavedObject id -> TrackableObject id, matching children by local_name
// from both roots.
std::map<int, int> match_object_graphs(const tfproto::SavedObjectGraph& saved,
                                       const tfproto::TrackableObjectGraph& trackable) {
  std::map<int, int> trackable_of;
  if (saved.nodes_size() == 0 || trackable.nodes_size() == 0) return trackable_of;
  std::deque<std::pair<int, int>> pending{{0, 0}};
  trackable_of[0] = 0;
  while (!pending.empty()) {
    auto [saved_id, trackable_id] = pending.front();
    pending.pop_front();
    const auto& trackable_node = trackable.nodes(trackable_id);
    for (const auto& child : saved.nodes(saved_id).children()) {
      if (child.node_id() < 0 || child.node_id() >= saved.nodes_size() || trackable_of.count(child.node_id())) continue;
      for (const auto& candidate : trackable_node.children()) {
        if (candidate.local_name() != child.local_name()) continue;
        if (candidate.node_id() < 0 || candidate.node_id() >= trackable.nodes_size()) break;
        trackable_of[child.node_id()] = candidate.node_id();
        pending.emplace_back(child.node_id(), candidate.node_id());
        break;
      }
    }
  }
  return trackable_of;
}

std::string variable_value_key(const tfproto::TrackableObjectGraph::TrackableObject& object) {
  for (const auto& attribute : object.attributes())
    if (attribute.name() == "VARIABLE_VALUE") return attribute.checkpoint_key();
  return "";
}

}  // namespace

Status add_object_graph_keys(const std::vector<tfproto::NodeDef>& nodes, const tfproto::SavedObjectGraph& object_graph,
                             const TensorBundle& bundle, VariableKeys& keys) {
  if (object_graph.nodes_size() == 0 || !bundle.contains(kObjectGraphKey)) return Status::ok();
  LEANRT_ASSIGN_OR_RETURN(std::vector<std::string> serialized, bundle.read_strings(kObjectGraphKey));
  tfproto::TrackableObjectGraph trackable;
  if (serialized.size() != 1)
    return invalid_model("{}: entry \"{}\" holds {} strings, expected 1 (a TrackableObjectGraph)", bundle.index_path(),
                         kObjectGraphKey, serialized.size());
  if (Status parsed = parse_proto_bytes(serialized[0], trackable, "TrackableObjectGraph"); !parsed)
    return parsed.with_context(fmt::format("{}: entry \"{}\"", bundle.index_path(), kObjectGraphKey));
  const std::map<int, int> trackable_of = match_object_graphs(object_graph, trackable);
  const NodeIndex index = index_nodes(nodes);
  for (const auto& call : nodes) {
    auto f = call.attr().find("f");
    if (f == call.attr().end() || !f->second.has_func()) continue;
    auto concrete = object_graph.concrete_functions().find(f->second.func().name());
    if (concrete == object_graph.concrete_functions().end()) continue;
    std::vector<std::string> data_inputs;
    for (const std::string& input : call.input())
      if (input.empty() || input[0] != '^') data_inputs.push_back(input);
    const auto& bound = concrete->second.bound_inputs();
    if (bound.size() > static_cast<int>(data_inputs.size())) continue;
    // Captured inputs come last, in bound_inputs order.
    const size_t first_captured = data_inputs.size() - static_cast<size_t>(bound.size());
    for (int j = 0; j < bound.size(); ++j) {
      const TensorReference handle = through_identities(index, parse_tensor_reference(data_inputs[first_captured + j]));
      auto handle_node = index.find(handle.node);
      auto trackable_id = trackable_of.find(bound[j]);
      if (handle_node == index.end() || !is_variable_op(handle_node->second->op()) ||
          trackable_id == trackable_of.end())
        continue;
      const std::string key = variable_value_key(trackable.nodes(trackable_id->second));
      if (!key.empty()) keys[handle.node] = key;
    }
  }
  return Status::ok();
}

std::string checkpoint_key(const VariableKeys& keys, const tfproto::NodeDef& variable) {
  auto found = keys.find(variable.name());
  if (found != keys.end()) return found->second;
  auto shared_name = variable.attr().find("shared_name");
  if (variable.op() == "VarHandleOp" && shared_name != variable.attr().end() && !shared_name->second.s().empty())
    return shared_name->second.s();
  return variable.name();
}

}  // namespace leanrt::importer
