#include "leanrt/import/tf/graph_cut.h"

#include <set>
#include <unordered_map>

#include "leanrt/import/graph_builder.h"

namespace leanrt::importer {

std::string canonical_reference(const std::string& reference) {
  TensorReference parsed = parse_tensor_reference(reference);
  if (parsed.control) return reference;
  return parsed.output == 0 ? parsed.node : parsed.node + ":" + std::to_string(parsed.output);
}

void prune_to_outputs(std::vector<tfproto::NodeDef>& nodes, const std::vector<std::string>& outputs,
                      const std::vector<Feed>& feeds) {
  std::unordered_map<std::string, size_t> index_of;
  for (size_t i = 0; i < nodes.size(); ++i) index_of.emplace(nodes[i].name(), i);
  std::set<std::string> fed;
  for (const Feed& feed : feeds) fed.insert(canonical_reference(feed.tensor));
  std::vector<bool> needed(nodes.size(), false);
  std::vector<size_t> pending;
  auto want = [&](const std::string& reference) {
    TensorReference parsed = parse_tensor_reference(reference);
    if (parsed.control) return;
    auto found = index_of.find(parsed.node);
    // A fed tensor's producer is not needed, unless it is the Placeholder
    // being fed (its dtype and shape attrs describe the input).
    if (fed.count(canonical_reference(reference)) &&
        (found == index_of.end() || nodes[found->second].op() != "Placeholder"))
      return;
    if (found != index_of.end() && !needed[found->second]) {
      needed[found->second] = true;
      pending.push_back(found->second);
    }
  };
  for (const std::string& output : outputs) want(output);
  while (!pending.empty()) {
    const size_t node = pending.back();
    pending.pop_back();
    for (const std::string& input : nodes[node].input()) want(input);
  }
  std::vector<tfproto::NodeDef> kept;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (needed[i]) kept.push_back(std::move(nodes[i]));
  nodes = std::move(kept);
}

namespace {

tfproto::NodeDef make_placeholder(const std::string& name, const Feed& feed) {
  tfproto::NodeDef placeholder;
  placeholder.set_name(name);
  placeholder.set_op("Placeholder");
  (*placeholder.mutable_attr())["dtype"].set_type(static_cast<tfproto::DataType>(feed.tf_dtype));
  *(*placeholder.mutable_attr())["shape"].mutable_shape() = feed.shape;
  return placeholder;
}

// A Placeholder without a usable shape takes the signature's.
void fill_placeholder_shape(tfproto::NodeDef& placeholder, const Feed& feed) {
  auto& attrs = *placeholder.mutable_attr();
  auto shape = attrs.find("shape");
  const bool has_shape = shape != attrs.end() && shape->second.has_shape() && !shape->second.shape().unknown_rank();
  if (!has_shape && !feed.shape.unknown_rank()) *attrs["shape"].mutable_shape() = feed.shape;
}

}  // namespace

Expected<std::map<std::string, std::string>> cut_at_feeds(std::vector<tfproto::NodeDef>& nodes,
                                                          const std::vector<Feed>& feeds, const std::string& source) {
  std::map<std::string, std::string> user_names;
  for (const Feed& feed : feeds) {
    TensorReference fed = parse_tensor_reference(feed.tensor);
    if (fed.control || fed.node.empty())
      return invalid_model("{}: the signature feeds \"{}\": expected a tensor name \"node:k\"", source, feed.tensor);
    tfproto::NodeDef* producer = nullptr;
    for (auto& node : nodes)
      if (node.name() == fed.node) producer = &node;
    if (producer != nullptr && producer->op() == "Placeholder" && fed.output == 0) {
      fill_placeholder_shape(*producer, feed);
      continue;
    }
    if (producer == nullptr && fed.output == 0) {
      nodes.push_back(make_placeholder(fed.node, feed));
      continue;
    }
    // The producer stays (another of its outputs is needed) or the tensor is
    // output k > 0: a new Placeholder under a name no TF graph uses.
    const std::string placeholder_name = fmt::format("{}/leanrt_fed_output_{}", fed.node, fed.output);
    const std::string canonical = canonical_reference(feed.tensor);
    for (auto& node : nodes)
      for (auto& input : *node.mutable_input())
        if (canonical_reference(input) == canonical) input = placeholder_name;
    nodes.push_back(make_placeholder(placeholder_name, feed));
    user_names[placeholder_name] = canonical;
  }
  return user_names;
}

}  // namespace leanrt::importer
