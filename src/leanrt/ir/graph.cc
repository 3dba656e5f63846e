#include "leanrt/ir/graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <queue>

namespace leanrt::ir {

std::string value_name(const std::string& node_name, int output_index) {
  return output_index == 0 ? node_name : fmt::format("{}:{}", node_name, output_index);
}

namespace {

Value make_value(std::string name, DType dtype, Shape shape, NodeId producer, int producer_output,
                 std::optional<ConstBytes> constant) {
  Value value;
  value.name = std::move(name);
  value.dtype = dtype;
  value.shape = std::move(shape);
  value.producer = producer;
  value.producer_output = producer_output;
  value.constant = std::move(constant);
  return value;
}

}  // namespace

bool same_tensor_name(const std::string& a, const std::string& b) {
  return a == b || a + ":0" == b || a == b + ":0";
}

ValueId Graph::add_value(Value value) {
  values.push_back(std::move(value));
  return static_cast<ValueId>(values.size() - 1);
}

ValueId Graph::add_input(const std::string& name, DType dtype, Shape shape) {
  ValueId id = add_value(make_value(name, dtype, std::move(shape), kNone, 0, std::nullopt));
  inputs.push_back(id);
  input_names.push_back(name);
  return id;
}

ValueId Graph::add_constant(const std::string& name, DType dtype, Shape shape, ConstBytes bytes) {
  return add_value(make_value(name, dtype, std::move(shape), kNone, 0, std::move(bytes)));
}

NodeId Graph::add_node(const std::string& name, const std::string& op, std::vector<ValueId> node_inputs,
                       int num_outputs, AttrMap attrs) {
  NodeId id = static_cast<NodeId>(nodes.size());
  Node node;
  node.name = name;
  node.op = op;
  node.inputs = std::move(node_inputs);
  node.attrs = std::move(attrs);
  nodes.push_back(std::move(node));
  for (int k = 0; k < num_outputs; ++k) add_output(id);
  return id;
}

ValueId Graph::add_output(NodeId node) {
  int index = static_cast<int>(nodes[node].outputs.size());
  ValueId id = add_value(make_value(value_name(nodes[node].name, index), DType::kInvalid, {}, node, index, std::nullopt));
  nodes[node].outputs.push_back(id);
  return id;
}

std::optional<NodeId> Graph::find_node(const std::string& name) const {
  for (NodeId id = 0; id < static_cast<NodeId>(nodes.size()); ++id)
    if (nodes[id].name == name) return id;
  return std::nullopt;
}

std::optional<ValueId> Graph::find_value(const std::string& name) const {
  std::string base = name;
  int index = 0;
  auto colon = name.rfind(':');
  if (colon != std::string::npos) {
    const char* first = name.data() + colon + 1;
    const char* last = name.data() + name.size();
    auto [end, error] = std::from_chars(first, last, index);
    if (error == std::errc() && end == last && first != last) base = name.substr(0, colon);
    else index = 0;
  }
  // Graph inputs and constants are found by their own name.
  for (ValueId id = 0; id < static_cast<ValueId>(values.size()); ++id) {
    const Value& value = values[id];
    if (value.producer == kNone && (value.name == name || (index == 0 && value.name == base))) return id;
  }
  if (auto node = find_node(base)) {
    if (index < static_cast<int>(nodes[*node].outputs.size())) return nodes[*node].outputs[index];
  }
  return std::nullopt;
}

std::vector<std::vector<NodeId>> Graph::consumers() const {
  std::vector<std::vector<NodeId>> result(values.size());
  for (NodeId id = 0; id < static_cast<NodeId>(nodes.size()); ++id)
    for (ValueId input : nodes[id].inputs)
      if (input != kNone) result[input].push_back(id);
  return result;
}

void Graph::compact(const std::vector<bool>& node_alive) {
  std::vector<bool> value_alive(values.size(), false);
  for (ValueId id : inputs) value_alive[id] = true;
  for (ValueId id : outputs) value_alive[id] = true;
  for (NodeId id = 0; id < static_cast<NodeId>(nodes.size()); ++id) {
    if (!node_alive[id]) continue;
    for (ValueId v : nodes[id].inputs)
      if (v != kNone) value_alive[v] = true;
    for (ValueId v : nodes[id].outputs) value_alive[v] = true;
  }
  std::vector<ValueId> value_remap(values.size(), kNone);
  std::vector<Value> kept_values;
  for (ValueId id = 0; id < static_cast<ValueId>(values.size()); ++id) {
    if (!value_alive[id]) continue;
    value_remap[id] = static_cast<ValueId>(kept_values.size());
    kept_values.push_back(std::move(values[id]));
  }
  std::vector<NodeId> node_remap(nodes.size(), kNone);
  std::vector<Node> kept_nodes;
  for (NodeId id = 0; id < static_cast<NodeId>(nodes.size()); ++id) {
    if (!node_alive[id]) continue;
    node_remap[id] = static_cast<NodeId>(kept_nodes.size());
    kept_nodes.push_back(std::move(nodes[id]));
  }
  for (Node& node : kept_nodes) {
    for (ValueId& v : node.inputs)
      if (v != kNone) v = value_remap[v];
    for (ValueId& v : node.outputs) v = value_remap[v];
  }
  for (Value& value : kept_values)
    if (value.producer != kNone) value.producer = node_remap[value.producer];
  for (ValueId& v : inputs) v = value_remap[v];
  for (ValueId& v : outputs) v = value_remap[v];
  values = std::move(kept_values);
  nodes = std::move(kept_nodes);
}

Status Graph::sort_topologically() {
  const size_t count = nodes.size();
  std::vector<int> pending_inputs(count, 0);
  std::vector<std::vector<NodeId>> users(count);
  for (NodeId id = 0; id < static_cast<NodeId>(count); ++id) {
    for (ValueId v : nodes[id].inputs) {
      if (v == kNone || values[v].producer == kNone) continue;
      ++pending_inputs[id];
      users[values[v].producer].push_back(id);
    }
  }
  // A min-heap on the original index keeps the given order where it is valid.
  std::priority_queue<NodeId, std::vector<NodeId>, std::greater<>> ready;
  for (NodeId id = 0; id < static_cast<NodeId>(count); ++id)
    if (pending_inputs[id] == 0) ready.push(id);
  std::vector<NodeId> order;
  order.reserve(count);
  while (!ready.empty()) {
    NodeId id = ready.top();
    ready.pop();
    order.push_back(id);
    for (NodeId user : users[id])
      if (--pending_inputs[user] == 0) ready.push(user);
  }
  if (order.size() != count) {
    for (NodeId id = 0; id < static_cast<NodeId>(count); ++id)
      if (pending_inputs[id] > 0)
        return invalid_model("{}: node \"{}\" ({}) is on a cycle: expected an acyclic graph", source,
                             nodes[id].name, nodes[id].op);
  }
  std::vector<NodeId> remap(count);
  std::vector<Node> sorted;
  sorted.reserve(count);
  for (NodeId id : order) {
    remap[id] = static_cast<NodeId>(sorted.size());
    sorted.push_back(std::move(nodes[id]));
  }
  nodes = std::move(sorted);
  for (Value& value : values)
    if (value.producer != kNone) value.producer = remap[value.producer];
  return Status::ok();
}

std::string Graph::describe(ValueId id) const {
  const Value& value = values[id];
  return fmt::format("tensor \"{}\" {} {}", value.name, shape_string(value.shape), dtype_name(value.dtype));
}

}  // namespace leanrt::ir
