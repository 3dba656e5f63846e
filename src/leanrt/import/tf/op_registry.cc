#include "leanrt/import/tf/op_registry.h"

namespace leanrt::importer {
namespace {

// How many tensors an output arg stands for: one, N (number_attr) or one per
// listed type (type_list_attr). Attrs the node leaves out take their default.
Expected<int> arg_size(const tfproto::NodeDef& node, const tfproto::OpDef& op_def, const tfproto::OpDef::ArgDef& arg) {
  auto attr_value = [&](const std::string& name) -> const tfproto::AttrValue* {
    auto found = node.attr().find(name);
    if (found != node.attr().end()) return &found->second;
    for (const auto& attr : op_def.attr())
      if (attr.name() == name && attr.has_default_value()) return &attr.default_value();
    return nullptr;
  };
  if (!arg.number_attr().empty()) {
    const tfproto::AttrValue* value = attr_value(arg.number_attr());
    if (value == nullptr)
      return invalid_model("node \"{}\" ({}) has no attr \"{}\" giving the size of output \"{}\"", node.name(),
                           node.op(), arg.number_attr(), arg.name());
    return static_cast<int>(value->i());
  }
  if (!arg.type_list_attr().empty()) {
    const tfproto::AttrValue* value = attr_value(arg.type_list_attr());
    if (value == nullptr)
      return invalid_model("node \"{}\" ({}) has no attr \"{}\" giving the types of output \"{}\"", node.name(),
                           node.op(), arg.type_list_attr(), arg.name());
    return value->list().type_size();
  }
  return 1;
}

}  // namespace

OpRegistry::OpRegistry() { add(builtin_op_defs()); }

void OpRegistry::add(const tfproto::OpList& ops) {
  for (const tfproto::OpDef& op : ops.op()) ops_[op.name()] = op;
}

void OpRegistry::add_functions(const tfproto::FunctionDefLibrary& library) {
  for (const tfproto::FunctionDef& function : library.function()) ops_[function.signature().name()] = function.signature();
}

const tfproto::OpDef* OpRegistry::find(const std::string& op) const {
  auto found = ops_.find(op);
  return found == ops_.end() ? nullptr : &found->second;
}

void OpRegistry::apply_default_attrs(tfproto::NodeDef& node) const {
  const tfproto::OpDef* op_def = find(node.op());
  if (op_def == nullptr) return;
  auto& attrs = *node.mutable_attr();
  for (const auto& attr : op_def->attr())
    if (attr.has_default_value() && attrs.find(attr.name()) == attrs.end()) attrs[attr.name()] = attr.default_value();
}

Expected<int> OpRegistry::output_index(const tfproto::NodeDef& node, const std::string& arg, int k) const {
  const tfproto::OpDef* op_def = find(node.op());
  // Without a listed output arg (unknown op, or a built-in entry that only
  // carries defaults) the op is taken to have a single output arg.
  if (op_def == nullptr || op_def->output_arg_size() == 0) return k;
  int offset = 0;
  for (const auto& output : op_def->output_arg()) {
    LEANRT_ASSIGN_OR_RETURN(int size, arg_size(node, *op_def, output));
    if (output.name() == arg) {
      if (k < 0 || k >= size)
        return invalid_model("\"{}:{}:{}\": output \"{}\" of node \"{}\" ({}) has {} tensor(s)", node.name(), arg, k, arg,
                             node.name(), node.op(), size);
      return offset + k;
    }
    offset += size;
  }
  std::string known;
  for (const auto& output : op_def->output_arg()) known += (known.empty() ? "" : ", ") + output.name();
  return invalid_model("\"{}:{}:{}\": op {} has no output \"{}\" (its outputs: {})", node.name(), arg, k, node.op(), arg,
                       known.empty() ? "none" : known);
}

}  // namespace leanrt::importer
