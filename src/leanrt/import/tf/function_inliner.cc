#include "leanrt/import/tf/function_inliner.h"

#include <charconv>
#include <unordered_map>

#include "leanrt/import/graph_builder.h"

namespace leanrt::importer {
namespace {

// Nested calls deeper than this are a recursive function, not a model.
constexpr int kMaxCallDepth = 64;
constexpr size_t kMaxNodes = 10'000'000;

bool parse_index(std::string_view text, int& index) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), index);
  return error == std::errc() && end == text.data() + text.size() && !text.empty() && index >= 0;
}

// Resolves references inside one function body to flat main-graph form.
class BodyScope {
 public:
  BodyScope(const tfproto::FunctionDef& function, const std::string& prefix,
            std::map<std::string, std::string> arguments, const std::vector<tfproto::NodeDef>& body,
            const OpRegistry& registry, const FunctionInliner& inliner)
      : function_(function), prefix_(prefix), arguments_(std::move(arguments)), registry_(registry),
        inliner_(inliner) {
    for (const auto& node : body) nodes_.emplace(node.name(), &node);
  }

  // "arg", "node:out_arg:k" (or "node:k") -> "prefix/node:flat"
  Expected<std::string> resolve(const std::string& reference) const {
    auto argument = arguments_.find(reference);
    if (argument != arguments_.end()) return argument->second;
    const size_t first = reference.find(':');
    const std::string node_name = reference.substr(0, first);
    auto node = nodes_.find(node_name);
    if (node == nodes_.end())
      return invalid_model("function \"{}\": \"{}\" names neither an argument nor a node of the body",
                           function_.signature().name(), reference);
    if (first == std::string::npos) return prefix_ + node_name;
    const size_t second = reference.find(':', first + 1);
    int k = 0;
    if (second == std::string::npos) {  // "node:k"
      if (!parse_index(std::string_view(reference).substr(first + 1), k))
        return invalid_model("function \"{}\": reference \"{}\" is malformed", function_.signature().name(), reference);
      return flat(node_name, k);
    }
    if (!parse_index(std::string_view(reference).substr(second + 1), k))
      return invalid_model("function \"{}\": reference \"{}\" is malformed", function_.signature().name(), reference);
    const std::string arg = reference.substr(first + 1, second - first - 1);
    const tfproto::NodeDef& producer = *node->second;
    if (inliner_.is_call(producer) && registry_.find(producer.op()) == nullptr) return flat(node_name, k);
    auto index = registry_.output_index(producer, arg, k);
    if (!index) return index.status().with_context(fmt::format("function \"{}\"", function_.signature().name()));
    return flat(node_name, *index);
  }

 private:
  std::string flat(const std::string& node, int index) const {
    return index == 0 ? prefix_ + node : fmt::format("{}{}:{}", prefix_, node, index);
  }

  const tfproto::FunctionDef& function_;
  std::string prefix_;
  std::map<std::string, std::string> arguments_;
  std::unordered_map<std::string, const tfproto::NodeDef*> nodes_;
  const OpRegistry& registry_;
  const FunctionInliner& inliner_;
};

}  // namespace

FunctionInliner::FunctionInliner(const tfproto::FunctionDefLibrary& library, const OpRegistry& registry,
                                 std::string source)
    : registry_(registry), source_(std::move(source)) {
  for (const auto& function : library.function()) functions_[function.signature().name()] = &function;
}

bool FunctionInliner::is_call(const tfproto::NodeDef& node) const {
  if (node.op() == "StatefulPartitionedCall" || node.op() == "PartitionedCall") return true;
  return functions_.count(node.op()) != 0;
}

Expected<const tfproto::FunctionDef*> FunctionInliner::callee(const tfproto::NodeDef& call) const {
  std::string name = call.op();
  if (call.op() == "StatefulPartitionedCall" || call.op() == "PartitionedCall") {
    auto f = call.attr().find("f");
    if (f == call.attr().end() || !f->second.has_func())
      return invalid_model("{}: node \"{}\" ({}) has no function attr \"f\"", source_, call.name(), call.op());
    name = f->second.func().name();
  }
  auto found = functions_.find(name);
  if (found == functions_.end())
    return invalid_model("{}: node \"{}\" ({}) calls function \"{}\", which the library does not define", source_,
                         call.name(), call.op(), name);
  return found->second;
}

Status FunctionInliner::expand(const tfproto::NodeDef& call, int depth, std::vector<tfproto::NodeDef>& nodes,
                               std::vector<int>& depths) {
  if (depth > kMaxCallDepth)
    return unsupported("{}: node \"{}\": function calls nest deeper than {} (recursion?)", source_, call.name(),
                       kMaxCallDepth);
  LEANRT_ASSIGN_OR_RETURN(const tfproto::FunctionDef* function, callee(call));
  const tfproto::OpDef& signature = function->signature();
  std::vector<std::string> data_inputs;
  for (const std::string& input : call.input())
    if (input.empty() || input[0] != '^') data_inputs.push_back(input);
  if (static_cast<int>(data_inputs.size()) != signature.input_arg_size())
    return invalid_model("{}: node \"{}\" passes {} inputs to function \"{}\", which takes {}", source_, call.name(),
                         data_inputs.size(), signature.name(), signature.input_arg_size());
  std::map<std::string, std::string> arguments;
  for (int i = 0; i < signature.input_arg_size(); ++i) arguments[signature.input_arg(i).name()] = data_inputs[i];

  const std::string prefix = call.name() + "/";
  std::vector<tfproto::NodeDef> body(function->node_def().begin(), function->node_def().end());
  for (auto& node : body) registry_.apply_default_attrs(node);
  BodyScope scope(*function, prefix, arguments, body, registry_, *this);
  std::vector<tfproto::NodeDef> renamed;
  for (const auto& node : body) {
    tfproto::NodeDef copy = node;
    copy.set_name(prefix + node.name());
    copy.clear_input();
    for (const std::string& input : node.input()) {
      if (!input.empty() && input[0] == '^') continue;
      auto resolved = scope.resolve(input);
      if (!resolved) return resolved.status().with_context(fmt::format("{}: node \"{}\"", source_, copy.name()));
      copy.add_input(*resolved);
    }
    renamed.push_back(std::move(copy));
  }
  std::vector<std::string> outputs;
  for (const auto& output : signature.output_arg()) {
    auto ret = function->ret().find(output.name());
    if (ret == function->ret().end())
      return invalid_model("{}: function \"{}\" has no ret entry for its output \"{}\"", source_, signature.name(),
                           output.name());
    auto resolved = scope.resolve(ret->second);
    if (!resolved) return resolved.status().with_context(source_);
    outputs.push_back(*resolved);
  }
  call_outputs_[call.name()] = std::move(outputs);
  for (auto& node : renamed) {
    nodes.push_back(std::move(node));
    depths.push_back(depth + 1);
  }
  if (nodes.size() > kMaxNodes)
    return unsupported("{}: inlining function calls made more than {} nodes", source_, kMaxNodes);
  return Status::ok();
}

Status FunctionInliner::inline_calls(std::vector<tfproto::NodeDef>& nodes) {
  std::vector<int> depths(nodes.size(), 0);
  std::vector<bool> replaced;
  // `nodes` grows while it is walked: bodies appended here are expanded in turn.
  for (size_t i = 0; i < nodes.size(); ++i) {
    replaced.push_back(false);
    if (!is_call(nodes[i])) continue;
    const tfproto::NodeDef call = nodes[i];
    LEANRT_RETURN_IF_ERROR(expand(call, depths[i], nodes, depths));
    replaced[i] = true;
    if (depths[i] == 0) top_level_calls_.push_back(call.name());
  }
  std::vector<tfproto::NodeDef> kept;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (replaced[i]) continue;
    for (auto& input : *nodes[i].mutable_input())
      if (input.empty() || input[0] != '^') input = resolve(input);
    kept.push_back(std::move(nodes[i]));
  }
  nodes = std::move(kept);
  return Status::ok();
}

std::string FunctionInliner::resolve(const std::string& reference) const {
  std::string current = reference;
  // A call may return another call's output straight through; follow the
  // chain (bounded: each step goes one call level up).
  for (int step = 0; step <= kMaxCallDepth + 1; ++step) {
    TensorReference parsed = parse_tensor_reference(current);
    auto found = call_outputs_.find(parsed.node);
    if (parsed.control || found == call_outputs_.end()) return current;
    if (parsed.output >= static_cast<int>(found->second.size())) return current;  // reported by the graph builder
    current = found->second[static_cast<size_t>(parsed.output)];
  }
  return current;
}

}  // namespace leanrt::importer
