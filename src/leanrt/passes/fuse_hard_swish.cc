// Hard swish, x * relu6(x + 3) / 6 (MobileNetV3 and the MediaPipe models
// built on it), spelled out in elementwise ops after a conv or MatMul:
//
//   Mul(Mul(x, 1/6), Relu6(x + 3))       (TF.js / TFLite conversions: selfie, meet)
//   Mul(x, Mul(Relu6(x + 3), 1/6))       (Keras' hard_sigmoid times x)
//   Mul(x, Relu6(x + 3)) * 1/6, or / 6
//
// Four elementwise steps, each a full pass over the tensor, become the
// producer's fused HardSwish activation (a oneDNN eltwise post-op), with the
// model's own constant as `hardswish_scale` (a model stored in fp16 has
// 0.16662598, not 1/6). The reference computes (x * scale) * relu6(x + 3),
// the first spelling exactly; the others round in another order (an ulp).
#include <algorithm>
#include <cmath>

#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"

namespace leanrt::passes {
namespace {

using namespace fusion;

bool is_mul(const ir::Node& node) { return node.op == "Mul" && node.inputs.size() == 2; }

// The value of a float constant whose elements are all the same (finite), or
// nullopt.
std::optional<float> uniform_constant(const ir::Graph& graph, ir::ValueId value, int64_t channels) {
  if (value == ir::kNone) return std::nullopt;
  auto values = channel_vector(graph, value, channels);
  if (!values || values->empty() || !std::isfinite(values->front())) return std::nullopt;
  for (float v : *values)
    if (v != values->front()) return std::nullopt;
  return values->front();
}

bool constant_equals(const ir::Graph& graph, ir::ValueId value, int64_t channels, float expected) {
  return uniform_constant(graph, value, channels) == expected;
}

// Nodes reading `value` (a node reading it twice counts twice).
int readers(const ir::Graph& graph, ir::ValueId value) {
  int count = 0;
  for (const ir::Node& node : graph.nodes)
    for (ir::ValueId input : node.inputs) count += input == value;
  return count;
}

struct HardSwish {
  std::vector<ir::NodeId> chain;  // every elementwise node, the last one's output is the result
  ir::NodeId last = ir::kNone;
  float scale = 1.0f / 6.0f;      // (x * scale) * relu6(x + 3)
};

// The chain from x's Add(x, 3), or nullopt.
std::optional<HardSwish> match(const ir::Graph& graph, ir::ValueId x, int64_t channels) {
  ir::NodeId add_id = ir::kNone, x_mul_id = ir::kNone;
  for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph.nodes.size()); ++n) {
    const ir::Node& node = graph.nodes[n];
    if (other_input(node, x) == ir::kNone) continue;
    if (is_add(node) && constant_equals(graph, other_input(node, x), channels, 3.0f)) add_id = n;
    else if (is_mul(node)) x_mul_id = n;
  }
  if (add_id == ir::kNone || x_mul_id == ir::kNone || readers(graph, x) != 2) return std::nullopt;
  const ir::NodeId relu_id = sole_consumer(graph, graph.nodes[add_id].outputs[0]);
  if (relu_id == ir::kNone || graph.nodes[relu_id].op != "Relu6") return std::nullopt;
  const ir::ValueId relu = graph.nodes[relu_id].outputs[0];
  const ir::NodeId after_relu = sole_consumer(graph, relu);
  if (after_relu == ir::kNone || !is_mul(graph.nodes[after_relu])) return std::nullopt;

  HardSwish found;
  found.chain = {add_id, relu_id, x_mul_id, after_relu};
  const ir::Node& x_mul = graph.nodes[x_mul_id];
  const ir::ValueId scaled_x = x_mul.outputs[0];
  std::optional<float> scale;
  if (after_relu != x_mul_id && other_input(graph.nodes[after_relu], relu) == scaled_x &&
      sole_consumer(graph, scaled_x) == after_relu && (scale = uniform_constant(graph, other_input(x_mul, x), channels))) {
    found.last = after_relu;  // (x * 1/6) * relu6(x + 3)
  } else if (after_relu == x_mul_id) {
    // x * relu6(x + 3), then * 1/6 or / 6
    const ir::NodeId scale_id = sole_consumer(graph, scaled_x);
    if (scale_id == ir::kNone) return std::nullopt;
    const ir::Node& scaling = graph.nodes[scale_id];
    if (is_mul(scaling)) {
      scale = uniform_constant(graph, other_input(scaling, scaled_x), channels);
    } else if (scaling.op == "RealDiv" && scaling.inputs.size() == 2 && scaling.inputs[0] == scaled_x) {
      if (auto divisor = uniform_constant(graph, scaling.inputs[1], channels); divisor && *divisor != 0.0f)
        scale = 1.0f / *divisor;
    }
    found.chain = {add_id, relu_id, x_mul_id, scale_id};
    found.last = scale_id;
  } else if (other_input(x_mul, x) == graph.nodes[after_relu].outputs[0] &&
             sole_consumer(graph, graph.nodes[after_relu].outputs[0]) == x_mul_id &&
             (scale = uniform_constant(graph, other_input(graph.nodes[after_relu], relu), channels))) {
    found.last = x_mul_id;  // x * (relu6(x + 3) * 1/6)
  }
  if (!scale) return std::nullopt;
  found.scale = *scale;
  // The constants broadcast over nothing but x's own elements.
  const ir::Value& x_value = graph.values[x];
  for (ir::NodeId n : found.chain) {
    const ir::Value& produced = graph.values[graph.nodes[n].outputs[0]];
    if (produced.shape != x_value.shape || produced.dtype != DType::kF32) return std::nullopt;
  }
  for (ir::NodeId n : found.chain)
    if (n != found.last && std::find(graph.outputs.begin(), graph.outputs.end(), graph.nodes[n].outputs[0]) !=
                               graph.outputs.end())
      return std::nullopt;
  return found;
}

}  // namespace

int fuse_hard_swish(ir::Graph& graph) {
  std::vector<bool> alive(graph.nodes.size(), true);
  int fused = 0;
  for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph.nodes.size()); ++n) {
    const ir::Node& node = graph.nodes[n];
    if (!alive[n] || !(is_conv(node) || is_matmul(node)) || has_activation(node)) continue;
    const ir::ValueId x = node.outputs[0];
    if (graph.values[x].dtype != DType::kF32) continue;
    std::optional<HardSwish> found = match(graph, x, output_channels(graph, node));
    if (!found) continue;
    ir::Node& target = graph.nodes[n];
    auto ops = fused_ops(target);
    ops.push_back("HardSwish");
    set_fused_ops(target, ops);
    target.attrs.set("hardswish_scale", found->scale);
    for (ir::NodeId absorbed : found->chain)
      if (absorbed != found->last) {
        graph.nodes[absorbed].inputs.clear();
        graph.nodes[absorbed].outputs.clear();
        alive[absorbed] = false;
      }
    absorb(graph, n, found->last, alive);
    ++fused;
  }
  graph.compact(alive);
  return fused;
}

}  // namespace leanrt::passes
