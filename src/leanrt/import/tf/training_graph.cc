#include "leanrt/import/tf/training_graph.h"

#include <regex>
#include <set>
#include <unordered_map>

#include "leanrt/import/graph_builder.h"

namespace leanrt::importer {
namespace {

// tf.gradients' default scope: "gradients", "gradients_1", ...
bool in_gradient_scope(const std::string& name) {
  static const std::regex scope(R"(^gradients(_\d+)?/.*)");
  return std::regex_match(name, scope);
}

bool is_training_op(const std::string& op) {
  static const std::set<std::string> ops = {
      "Assign", "AssignAdd", "AssignSub", "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp",
      "SaveV2", "Save", "SaveSlices", "RestoreV2", "Restore", "RestoreSlice", "MergeV2Checkpoints",
      "ShardedFilename", "StringJoin", "NoOp", "IsVariableInitialized", "VarIsInitializedOp"};
  // Optimizer updates: ApplyAdam, ResourceApplyAdam, SparseApplyFtrl, ...
  return ops.count(op) != 0 || op.starts_with("Apply") || op.starts_with("ResourceApply") ||
         op.starts_with("SparseApply") || op.starts_with("ResourceSparseApply");
}

bool is_variable_op(const std::string& op) { return op == "VariableV2" || op == "Variable" || op == "VarHandleOp"; }

std::vector<std::string> control_inputs(const tfproto::NodeDef& node) {
  std::vector<std::string> inputs;
  for (const std::string& input : node.input())
    if (!input.empty() && input[0] == '^') inputs.push_back(input.substr(1));
  return inputs;
}

std::vector<std::string> data_inputs(const tfproto::NodeDef& node) {
  std::vector<std::string> inputs;
  for (const std::string& input : node.input())
    if (input.empty() || input[0] != '^') inputs.push_back(parse_tensor_reference(input).node);
  return inputs;
}

}  // namespace

std::vector<std::string> differentiated_nodes(const std::vector<tfproto::NodeDef>& nodes) {
  static const std::regex grad_scope(R"(^gradients(_\d+)?/(.+)_grad/.*)");
  std::set<std::string> names;
  for (const auto& node : nodes) {
    std::smatch match;
    if (std::regex_match(node.name(), match, grad_scope)) names.insert(match[2].str());
  }
  return {names.begin(), names.end()};
}

void drop_training_nodes(std::vector<tfproto::NodeDef>& nodes) {
  std::unordered_map<std::string, size_t> index_of;
  for (size_t i = 0; i < nodes.size(); ++i) index_of.emplace(nodes[i].name(), i);
  std::vector<std::vector<size_t>> consumers(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const std::string& input : data_inputs(nodes[i])) {
      auto found = index_of.find(input);
      if (found != index_of.end()) consumers[found->second].push_back(i);
    }
  std::vector<bool> dropped(nodes.size(), false);
  for (size_t i = 0; i < nodes.size(); ++i)
    dropped[i] = in_gradient_scope(nodes[i].name()) || is_training_op(nodes[i].op());
  // Spread until nothing changes: forward to readers of dropped nodes,
  // backward to nodes whose every reader is dropped.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (dropped[i]) continue;
      // Reading a dropped node's value, or running after it (a control
      // edge, as the Saver's save/control_dependency does), ties a node to
      // training or checkpointing.
      bool reads_dropped = false;
      for (const auto& inputs : {data_inputs(nodes[i]), control_inputs(nodes[i])})
        for (const std::string& input : inputs) {
          auto found = index_of.find(input);
          reads_dropped = reads_dropped || (found != index_of.end() && dropped[found->second]);
        }
      bool only_dropped_readers = !consumers[i].empty();
      for (size_t reader : consumers[i]) only_dropped_readers = only_dropped_readers && dropped[reader];
      if (reads_dropped || only_dropped_readers) {
        dropped[i] = true;
        changed = true;
      }
    }
  }
  std::vector<tfproto::NodeDef> kept;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (!dropped[i]) kept.push_back(std::move(nodes[i]));
  nodes = std::move(kept);
}

namespace {

// What each node's value depends on, transitively.
struct Dependence {
  bool variable = false;
  bool placeholder = false;
};

class PredictionFinder {
 public:
  explicit PredictionFinder(const std::vector<tfproto::NodeDef>& nodes) {
    for (const auto& node : nodes) index_.emplace(node.name(), &node);
  }

  Dependence dependence(const std::string& name) {
    auto known = memo_.find(name);
    if (known != memo_.end()) return known->second;
    memo_[name] = {};  // a cycle (control flow) adds nothing
    Dependence result;
    auto node = index_.find(name);
    if (node != index_.end()) {
      result.variable = is_variable_op(node->second->op());
      result.placeholder = node->second->op() == "Placeholder";
      for (const std::string& input : data_inputs(*node->second)) {
        Dependence upstream = dependence(input);
        result.variable = result.variable || upstream.variable;
        result.placeholder = result.placeholder || upstream.placeholder;
      }
    }
    memo_[name] = result;
    return result;
  }

  // The variable-dependent inputs of the first node below `loss` that also
  // reads a label; empty when there is none.
  std::vector<std::string> prediction_of(const std::string& loss, int depth = 0) {
    auto node = index_.find(loss);
    if (node == index_.end() || depth > 256) return {};
    std::vector<std::string> model_inputs;
    bool reads_label = false;
    for (const std::string& input : data_inputs(*node->second)) {
      Dependence upstream = dependence(input);
      if (upstream.variable) model_inputs.push_back(input);
      else if (upstream.placeholder) reads_label = true;
    }
    if (reads_label && !model_inputs.empty()) return model_inputs;
    for (const std::string& input : model_inputs) {
      std::vector<std::string> found = prediction_of(input, depth + 1);
      if (!found.empty()) return found;
    }
    return {};
  }

 private:
  std::unordered_map<std::string, const tfproto::NodeDef*> index_;
  std::unordered_map<std::string, Dependence> memo_;
};

}  // namespace

std::vector<std::string> prediction_outputs(const std::vector<tfproto::NodeDef>& nodes,
                                            const std::vector<std::string>& losses) {
  std::set<std::string> read;
  for (const auto& node : nodes)
    for (const std::string& input : data_inputs(node)) read.insert(input);
  const std::set<std::string> loss_names(losses.begin(), losses.end());
  PredictionFinder finder(nodes);
  std::vector<std::string> outputs;
  std::set<std::string> chosen;
  for (const auto& node : nodes) {
    if (read.count(node.name()) || node.op() == "Const" || node.op() == "Placeholder") continue;
    std::vector<std::string> picked{node.name()};
    if (loss_names.count(node.name())) {
      std::vector<std::string> prediction = finder.prediction_of(node.name());
      if (!prediction.empty()) picked = prediction;
    }
    for (const std::string& name : picked)
      if (chosen.insert(name).second) outputs.push_back(name);
  }
  return outputs;
}

}  // namespace leanrt::importer
