#include "leanrt/import/tf/freeze_variables.h"

#include "leanrt/import/tf/tensor_proto.h"

namespace leanrt::importer {
namespace {

bool is_variable_op(const std::string& op) { return op == "VariableV2" || op == "Variable" || op == "VarHandleOp"; }

// A few keys of the bundle, for messages.
std::string some_keys(const TensorBundle& bundle) {
  std::vector<std::string> keys = bundle.keys();
  std::string text;
  size_t shown = 0;
  for (const std::string& key : keys) {
    if (key.starts_with("_CHECKPOINTABLE") || key.find("/.OPTIMIZER_SLOT/") != std::string::npos) continue;
    if (shown++ == 8) {
      text += ", ...";
      break;
    }
    text += (text.empty() ? "" : ", ") + key;
  }
  return fmt::format("{} entries: {}", keys.size(), text);
}

// The dtype and shape the graph declares for a variable.
Status check_declared(const tfproto::NodeDef& node, const std::string& key, const BundleTensor& value,
                      const TensorBundle& bundle) {
  auto dtype_attr = node.attr().find("dtype");
  if (dtype_attr != node.attr().end()) {
    auto declared = dtype_from_tf_enum(dtype_attr->second.type());
    if (declared && *declared != value.dtype)
      return invalid_model("variable \"{}\" is {} in the graph, but checkpoint key \"{}\" in {} holds {}", node.name(),
                           dtype_name(*declared), key, bundle.index_path(), dtype_name(value.dtype));
  }
  auto shape_attr = node.attr().find("shape");
  if (shape_attr != node.attr().end() && shape_attr->second.has_shape() && !shape_attr->second.shape().unknown_rank()) {
    const Shape declared = read_shape_proto(shape_attr->second.shape());
    bool matches = declared.size() == value.shape.size();
    for (size_t d = 0; matches && d < declared.size(); ++d) matches = declared[d] < 0 || declared[d] == value.shape[d];
    if (!matches)
      return invalid_model("variable \"{}\" has shape {} in the graph, but checkpoint key \"{}\" in {} holds {}",
                           node.name(), shape_string(declared), key, bundle.index_path(), shape_string(value.shape));
  }
  return Status::ok();
}

Expected<BundleTensor> read_variable(const tfproto::NodeDef& node, const VariableKeys& keys, const TensorBundle& bundle) {
  const std::string key = checkpoint_key(keys, node);
  if (!bundle.contains(key))
    return invalid_model("variable \"{}\" ({}): checkpoint key \"{}\" is missing from {} ({})", node.name(), node.op(),
                         key, bundle.index_path(), some_keys(bundle));
  LEANRT_ASSIGN_OR_RETURN(BundleTensor value, bundle.read(key));
  LEANRT_RETURN_IF_ERROR(check_declared(node, key, value, bundle));
  return value;
}

// Resource reads become their value-semantics twins.
void replace_resource_reads(tfproto::NodeDef& node) {
  if (node.op() == "ReadVariableOp") {
    node.set_op("Identity");
    auto dtype = node.attr().find("dtype");
    if (dtype != node.attr().end()) (*node.mutable_attr())["T"] = dtype->second;
    node.mutable_attr()->erase("dtype");
  } else if (node.op() == "ResourceGather") {
    // ResourceGather(resource, indices) with batch_dims 0 is Gather(params, indices).
    auto batch_dims = node.attr().find("batch_dims");
    if (batch_dims == node.attr().end() || batch_dims->second.i() == 0) node.set_op("Gather");
  }
}

}  // namespace

Expected<VariableValues> freeze_variables(std::vector<tfproto::NodeDef>& nodes, const VariableKeys& keys,
                                          const TensorBundle* bundle, const std::string& source) {
  VariableValues values;
  for (auto& node : nodes) {
    replace_resource_reads(node);
    if (!is_variable_op(node.op())) continue;
    if (bundle == nullptr)
      return invalid_model("{}: node \"{}\" is a variable ({}), but the model has no checkpoint (variables/ or "
                           ".index + .data files) to read it from",
                           source, node.name(), node.op());
    auto value = read_variable(node, keys, *bundle);
    if (!value) return value.status().with_context(source);
    node.set_op("Const");
    node.clear_input();
    values.emplace(node.name(), std::move(*value));
  }
  return values;
}

}  // namespace leanrt::importer
