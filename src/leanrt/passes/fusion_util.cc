#include "leanrt/passes/fusion_util.h"

#include <algorithm>
#include <cstring>

namespace leanrt::passes::fusion {

bool is_conv(const ir::Node& node) {
  return node.op == "Conv2D" || node.op == "_FusedConv2D" || node.op == "DepthwiseConv2dNative" ||
         node.op == "FusedDepthwiseConv2dNative";
}

bool is_add(const ir::Node& node) { return (node.op == "Add" || node.op == "AddV2") && node.inputs.size() == 2; }

ir::ValueId other_input(const ir::Node& node, ir::ValueId value) {
  if (node.inputs.size() != 2) return ir::kNone;
  if (node.inputs[0] == value) return node.inputs[1];
  if (node.inputs[1] == value) return node.inputs[0];
  return ir::kNone;
}

bool is_matmul(const ir::Node& node) { return node.op == "MatMul" || node.op == "_FusedMatMul"; }

bool is_depthwise(const ir::Node& node) { return node.op.find("Depthwise") != std::string::npos; }

std::vector<std::string> fused_ops(const ir::Node& node) {
  return node.attrs.get_or<std::vector<std::string>>("fused_ops", {});
}

bool has_activation(const ir::Node& node) {
  for (const std::string& op : fused_ops(node))
    if (op != "BiasAdd" && op != "Add" && op != "FusedBatchNorm" && op != "FusedBatchNormV3") return true;
  return false;
}

bool has_residual(const ir::Node& node) {
  const auto ops = fused_ops(node);
  for (size_t i = 1; i < ops.size(); ++i)
    if (ops[i] == "Add") return true;
  return false;
}

bool has_batch_norm(const ir::Node& node) {
  for (const std::string& op : fused_ops(node))
    if (op == "FusedBatchNorm" || op == "FusedBatchNormV3") return true;
  return false;
}

int bias_input(const ir::Node& node) {
  const auto ops = fused_ops(node);
  if (!ops.empty() && (ops[0] == "BiasAdd" || ops[0] == "Add")) return 2;
  return -1;
}

void set_fused_ops(ir::Node& node, const std::vector<std::string>& ops) {
  if (node.op == "Conv2D") node.op = "_FusedConv2D";
  else if (node.op == "DepthwiseConv2dNative") node.op = "FusedDepthwiseConv2dNative";
  else if (node.op == "MatMul") node.op = "_FusedMatMul";
  node.attrs.set("fused_ops", ops);
  node.attrs.set("num_args", static_cast<int64_t>(node.inputs.size()) - 2);
}

ir::NodeId sole_consumer(const ir::Graph& graph, ir::ValueId value) {
  if (std::find(graph.outputs.begin(), graph.outputs.end(), value) != graph.outputs.end()) return ir::kNone;
  ir::NodeId found = ir::kNone;
  for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph.nodes.size()); ++n) {
    for (ir::ValueId input : graph.nodes[n].inputs) {
      if (input != value) continue;
      if (found != ir::kNone) return ir::kNone;  // read twice, or by two nodes
      found = n;
    }
  }
  return found;
}

void absorb(ir::Graph& graph, ir::NodeId producer, ir::NodeId consumer, std::vector<bool>& alive) {
  const ir::ValueId result = graph.nodes[consumer].outputs[0];
  graph.nodes[producer].outputs[0] = result;
  graph.values[result].producer = producer;
  graph.values[result].producer_output = 0;
  graph.nodes[consumer].inputs.clear();
  graph.nodes[consumer].outputs.clear();
  alive[consumer] = false;
}

int64_t output_channels(const ir::Graph& graph, const ir::Node& node) {
  const Shape& shape = graph.values[node.outputs[0]].shape;
  return shape.empty() ? 0 : shape.back();
}

std::optional<std::vector<float>> channel_vector(const ir::Graph& graph, ir::ValueId value, int64_t channels) {
  const ir::Value& v = graph.values[value];
  if (!v.is_constant() || v.dtype != DType::kF32 || channels <= 0) return std::nullopt;
  const int64_t count = num_elements(v.shape);
  if (count != 1 && count != channels) return std::nullopt;
  if (count != 1 && (v.shape.empty() || v.shape.back() != channels)) return std::nullopt;
  const float* data = v.constant->as<float>();
  std::vector<float> values(channels);
  for (int64_t c = 0; c < channels; ++c) values[c] = data[count == 1 ? 0 : c];
  return values;
}

ir::ValueId add_float_constant(ir::Graph& graph, const std::string& name, const Shape& shape,
                               const std::vector<float>& values) {
  return graph.add_constant(name, DType::kF32, shape, ConstBytes::copy_of(values.data(), values.size() * sizeof(float)));
}

bool scale_filter(ir::Graph& graph, ir::NodeId node_id, const std::vector<float>& scale) {
  const ir::ValueId filter_id = graph.nodes[node_id].inputs[1];
  const ir::Value filter = graph.values[filter_id];  // a copy: add_constant may move values
  if (!filter.is_constant() || filter.dtype != DType::kF32) return false;
  int readers = 0;
  for (const ir::Node& node : graph.nodes)
    for (ir::ValueId input : node.inputs) readers += input == filter_id;
  if (readers != 1) return false;
  const int64_t elements = num_elements(filter.shape);
  const int64_t channels = static_cast<int64_t>(scale.size());
  // In HWIO and HWCM filters (and a MatMul's [K, N]) the output channel is
  // the innermost index.
  if (filter.shape.empty() || elements % channels != 0) return false;
  std::vector<float> scaled(elements);
  const float* source = filter.constant->as<float>();
  for (int64_t i = 0; i < elements; ++i) scaled[i] = source[i] * scale[i % channels];
  const ir::ValueId replacement = add_float_constant(graph, filter.name + "/folded", filter.shape, scaled);
  graph.nodes[node_id].inputs[1] = replacement;
  // No node reads the old filter now: drop its bytes at once rather than at
  // the pass's compact, so old and folded filters never all coexist.
  release_if_mapped(*filter.constant);
  graph.values[filter_id].constant.reset();
  return true;
}

void release_if_mapped(const ConstBytes& bytes) {
  if (!bytes.file_mapped || !bytes.owner) return;
  // ConstBytes::view_of is the only maker of file-mapped bytes; its owner is
  // the MappedFile.
  const auto file = std::static_pointer_cast<const MappedFile>(bytes.owner);
  file->release_pages(static_cast<size_t>(bytes.data - file->data()), bytes.size_bytes);
}

}  // namespace leanrt::passes::fusion
