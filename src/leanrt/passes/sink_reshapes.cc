// Keras' Dense on a 4-D tensor (Tensordot) reshapes its MatMul's [N, C]
// result back to [N, 1, 1, C] before the bias and the activation:
//
//   MatMul -> Reshape -> BiasAdd -> Relu        (meet's squeeze-excite blocks)
//
// A Reshape that keeps the last dim commutes with a per-channel bias and
// with an activation, so they move before it, next to the MatMul, where
// fuse_bias_add and fuse_activation fold them: three steps become one.
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"

namespace leanrt::passes {
namespace {

using namespace fusion;

bool is_activation(const std::string& op) {
  return op == "Relu" || op == "Relu6" || op == "Elu" || op == "Sigmoid" || op == "Tanh";
}

// `node` reads `value` as its first input and, if it has a second, that is
// a per-channel constant: computed on the Reshape's input, it gives the
// same values.
bool commutes_with_reshape(const ir::Graph& graph, const ir::Node& node, ir::ValueId value, int64_t channels) {
  if (node.outputs.size() != 1 || node.inputs.empty() || node.inputs[0] != value) return false;
  if (is_activation(node.op)) return node.inputs.size() == 1;
  if (!is_add(node) && !(node.op == "BiasAdd" && node.inputs.size() == 2)) return false;
  if (node.op == "BiasAdd" && node.attrs.get_or<std::string>("data_format", "NHWC") != "NHWC") return false;
  const Shape& constant = graph.values[node.inputs[1]].shape;
  return constant.size() <= 1 && channel_vector(graph, node.inputs[1], channels).has_value();
}

// True when `value` comes from a MatMul through ops already moved before
// the Reshape (a bias, then an activation), each read only by the next.
bool fed_by_matmul(const ir::Graph& graph, ir::ValueId value) {
  for (int depth = 0; depth < 4; ++depth) {
    const ir::NodeId producer = graph.values[value].producer;
    if (producer == ir::kNone) return false;
    const ir::Node& node = graph.nodes[producer];
    if (is_matmul(node)) return true;
    if (!commutes_with_reshape(graph, node, node.inputs.empty() ? ir::kNone : node.inputs[0],
                               graph.values[value].shape.empty() ? 0 : graph.values[value].shape.back()))
      return false;
    value = node.inputs[0];
  }
  return false;
}

}  // namespace

int sink_reshapes(ir::Graph& graph) {
  int moved = 0;
  for (bool changed = true; changed;) {
    changed = false;
    for (ir::NodeId r = 0; r < static_cast<ir::NodeId>(graph.nodes.size()); ++r) {
      const ir::Node& reshape = graph.nodes[r];
      if (reshape.op != "Reshape" || reshape.inputs.empty() || reshape.outputs.size() != 1) continue;
      const ir::ValueId in = reshape.inputs[0], out = reshape.outputs[0];
      const Shape& in_shape = graph.values[in].shape;
      const Shape& out_shape = graph.values[out].shape;
      if (in_shape.empty() || out_shape.empty() || in_shape.back() != out_shape.back()) continue;
      if (graph.values[in].dtype != DType::kF32) continue;
      // Only where the move helps: the Reshape's input comes from a MatMul.
      if (!fed_by_matmul(graph, in) || sole_consumer(graph, in) != r) continue;
      const ir::NodeId e = sole_consumer(graph, out);
      if (e == ir::kNone || !commutes_with_reshape(graph, graph.nodes[e], out, in_shape.back())) continue;
      // x -Reshape-> y -E-> z  becomes  x -E-> y -Reshape-> z: y takes x's shape.
      const ir::ValueId z = graph.nodes[e].outputs[0];
      graph.nodes[e].inputs[0] = in;
      graph.nodes[e].outputs[0] = out;
      graph.nodes[r].inputs[0] = out;
      graph.nodes[r].outputs[0] = z;
      graph.values[out].shape = in_shape;
      graph.values[out].producer = e;
      graph.values[out].producer_output = 0;
      graph.values[z].producer = r;
      graph.values[z].producer_output = 0;
      changed = true;
      ++moved;
    }
  }
  return moved;
}

}  // namespace leanrt::passes
