#include "leanrt/import/tf/node_convert.h"

#include "leanrt/import/tf/tensor_proto.h"

namespace leanrt::importer {
namespace {

// The IR has no "unknown" DType: types leanrt cannot hold (bfloat16,
// complex, quantized) keep kInvalid, which only matters if a kernel needs them.
DType convert_dtype(int tf_dtype) { return dtype_from_tf_enum(tf_dtype).value_or(DType::kInvalid); }

std::optional<ir::AttrValue> convert_list(const tfproto::AttrValue::ListValue& list) {
  if (list.s_size() > 0) return ir::AttrValue(std::vector<std::string>(list.s().begin(), list.s().end()));
  if (list.i_size() > 0) return ir::AttrValue(std::vector<int64_t>(list.i().begin(), list.i().end()));
  if (list.f_size() > 0) return ir::AttrValue(std::vector<float>(list.f().begin(), list.f().end()));
  if (list.b_size() > 0) return ir::AttrValue(std::vector<bool>(list.b().begin(), list.b().end()));
  if (list.type_size() > 0) {
    std::vector<DType> types;
    for (int type : list.type()) types.push_back(convert_dtype(type));
    return ir::AttrValue(std::move(types));
  }
  if (list.shape_size() > 0 || list.tensor_size() > 0 || list.func_size() > 0) return std::nullopt;
  return ir::AttrValue(std::vector<int64_t>{});  // an empty list of unknown type, as TF.js writes it
}

}  // namespace

std::optional<ir::AttrValue> convert_attr(const tfproto::AttrValue& value) {
  switch (value.value_case()) {
    case tfproto::AttrValue::kS: return ir::AttrValue(value.s());
    case tfproto::AttrValue::kI: return ir::AttrValue(static_cast<int64_t>(value.i()));
    case tfproto::AttrValue::kF: return ir::AttrValue(value.f());
    case tfproto::AttrValue::kB: return ir::AttrValue(value.b());
    case tfproto::AttrValue::kType: return ir::AttrValue(convert_dtype(value.type()));
    // An unknown rank reads as an empty shape; convert_node marks
    // Placeholders of unknown rank.
    case tfproto::AttrValue::kShape: return ir::AttrValue(ir::ShapeAttr{read_shape_proto(value.shape())});
    case tfproto::AttrValue::kList: return convert_list(value.list());
    default: return std::nullopt;
  }
}

Expected<ImportedNode> convert_node(tfproto::NodeDef&& node, const std::string& source) {
  ImportedNode imported;
  imported.name = node.name();
  imported.op = node.op();
  imported.inputs.assign(node.input().begin(), node.input().end());
  for (auto& [key, value] : *node.mutable_attr()) {
    // "_output_shapes", "_class", ...: TensorFlow's own bookkeeping.
    if (key.empty() || key[0] == '_') continue;
    if (key == "value" && node.op() == "Const") continue;
    // A Placeholder of unknown rank takes any shape (the graph builder's
    // "unknown_rank" attr, as the TF.js importer sets it).
    if (key == "shape" && value.has_shape() && value.shape().unknown_rank()) imported.attrs.set("unknown_rank", true);
    if (auto attr = convert_attr(value)) imported.attrs.set(key, std::move(*attr));
  }
  if (node.op() != "Const") return imported;
  auto value = node.mutable_attr()->find("value");
  if (value == node.mutable_attr()->end() || !value->second.has_tensor())
    return invalid_model("{}: Const node \"{}\" has no tensor \"value\" attr", source, node.name());
  auto tensor = read_tensor_proto(std::move(*value->second.mutable_tensor()));
  if (!tensor) return tensor.status().with_context(fmt::format("{}: Const node \"{}\"", source, node.name()));
  imported.constant = std::move(tensor->bytes);
  imported.constant_dtype = tensor->dtype;
  imported.constant_shape = std::move(tensor->shape);
  return imported;
}

Expected<ir::Graph> build_graph_from_nodes(std::vector<tfproto::NodeDef>&& nodes, VariableValues&& variables,
                                           const GraphDeclaration& declaration) {
  std::vector<ImportedNode> imported;
  imported.reserve(nodes.size());
  for (auto& node : nodes) {
    auto variable = variables.find(node.name());
    if (variable != variables.end()) {
      ImportedNode frozen;
      frozen.name = node.name();
      frozen.op = "Const";
      frozen.constant = std::move(variable->second.bytes);
      frozen.constant_dtype = variable->second.dtype;
      frozen.constant_shape = std::move(variable->second.shape);
      imported.push_back(std::move(frozen));
      continue;
    }
    LEANRT_ASSIGN_OR_RETURN(ImportedNode converted, convert_node(std::move(node), declaration.source));
    imported.push_back(std::move(converted));
  }
  nodes.clear();
  return build_graph(std::move(imported), declaration);
}

void name_inputs_as_tensors(ir::Graph& graph) {
  for (std::string& name : graph.input_names)
    if (parse_tensor_reference(name).node == name) name += ":0";
}

void mark_legacy_unknown_shapes(std::vector<tfproto::NodeDef>& nodes, int graph_producer) {
  constexpr int kLastLegacyProducer = 21;
  if (graph_producer > kLastLegacyProducer) return;
  for (auto& node : nodes) {
    if (node.op() != "Placeholder") continue;
    auto shape = node.mutable_attr()->find("shape");
    if (shape != node.mutable_attr()->end() && shape->second.has_shape() && shape->second.shape().dim_size() == 0)
      shape->second.mutable_shape()->set_unknown_rank(true);
  }
}

}  // namespace leanrt::importer
