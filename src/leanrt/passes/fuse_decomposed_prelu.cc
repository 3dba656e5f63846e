// PReLU spelled out in elementwise ops, as old Keras/TF.js exports write it:
//
//   Relu(x) + (x - Abs(x)) * c      = Prelu(x, 2c)      (Keras PReLU, c = alpha / 2)
//   x       + (x - Abs(x)) * c      = Prelu(x, 1 + 2c)  (the same after a converter
//                                                        moved the Relu into x's producer)
//
// For x >= 0 the term (x - |x|) is 0; for x < 0 it is exactly 2x. Four or five
// elementwise steps, each a full pass over the tensor, become one Prelu, which
// fuse_activation then moves into the producing conv. The first form is
// bit-exact (2x * c = x * 2c: scaling by two is exact); the second rounds
// x + 2cx once instead of twice (1 ulp). When x cannot be negative (the
// converter fused a Relu into its producer) the second form is x itself and
// becomes an Identity, which drop_identities removes.
#include <algorithm>
#include <cmath>

#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"
#include "leanrt/passes/passes.h"

namespace leanrt::passes {
namespace {

using fusion::is_add;
using fusion::other_input;

bool is_relu(const std::string& op) { return op == "Relu" || op == "Relu6"; }

// True when every element of `value` is >= 0 (or NaN): a Relu's output, or
// a conv's or MatMul's whose fused activation is a Relu.
bool known_non_negative(const ir::Graph& graph, ir::ValueId value) {
  const ir::NodeId producer = graph.values[value].producer;
  if (producer == ir::kNone) return false;
  const ir::Node& node = graph.nodes[producer];
  if (is_relu(node.op)) return true;
  if (!(fusion::is_conv(node) || fusion::is_matmul(node)) || !fusion::has_activation(node)) return false;
  const std::vector<std::string> ops = fusion::fused_ops(node);
  return is_relu(ops.back());
}

struct DecomposedPrelu {
  ir::ValueId x = ir::kNone;
  std::vector<float> alpha;
  std::vector<ir::NodeId> absorbed;  // Abs, Sub, Mul and (first form) Relu
  ir::NodeId add = ir::kNone;        // becomes the Prelu
  bool identity = false;             // x >= 0: the Add becomes Identity(x)
};

// Matches the chain that starts at the Abs node `abs_id`.
std::optional<DecomposedPrelu> match_from_abs(const ir::Graph& graph, ir::NodeId abs_id) {
  using fusion::sole_consumer;
  const ir::Node& abs = graph.nodes[abs_id];
  if (abs.op != "Abs" || abs.inputs.size() != 1) return std::nullopt;
  const ir::ValueId x = abs.inputs[0];
  const ir::Value& x_value = graph.values[x];
  if (x_value.dtype != DType::kF32 || x_value.shape.empty()) return std::nullopt;

  const ir::NodeId sub_id = sole_consumer(graph, abs.outputs[0]);
  if (sub_id == ir::kNone) return std::nullopt;
  const ir::Node& sub = graph.nodes[sub_id];
  if (sub.op != "Sub" || sub.inputs.size() != 2 || sub.inputs[0] != x || sub.inputs[1] != abs.outputs[0])
    return std::nullopt;

  const ir::NodeId mul_id = sole_consumer(graph, sub.outputs[0]);
  if (mul_id == ir::kNone) return std::nullopt;
  const ir::Node& mul = graph.nodes[mul_id];
  if (mul.op != "Mul") return std::nullopt;
  const ir::ValueId scale_value = other_input(mul, sub.outputs[0]);
  if (scale_value == ir::kNone) return std::nullopt;
  const int64_t channels = x_value.shape.back();
  std::optional<std::vector<float>> scale = fusion::channel_vector(graph, scale_value, channels);
  if (!scale) return std::nullopt;

  const ir::NodeId add_id = sole_consumer(graph, mul.outputs[0]);
  if (add_id == ir::kNone) return std::nullopt;
  const ir::Node& add = graph.nodes[add_id];
  if (!is_add(add)) return std::nullopt;
  // Every intermediate keeps x's shape: the constant broadcasts over nothing
  // but its channels.
  for (ir::ValueId produced : {sub.outputs[0], mul.outputs[0], add.outputs[0]})
    if (graph.values[produced].shape != x_value.shape || graph.values[produced].dtype != DType::kF32)
      return std::nullopt;

  DecomposedPrelu match;
  match.x = x;
  match.add = add_id;
  match.absorbed = {abs_id, sub_id, mul_id};
  const ir::ValueId positive = other_input(add, mul.outputs[0]);
  float linear_part = 0.0f;  // the slope the positive branch adds for x < 0
  if (positive == x) {
    linear_part = 1.0f;
    const bool finite = std::all_of(scale->begin(), scale->end(), [](float v) { return std::isfinite(v); });
    match.identity = finite && known_non_negative(graph, x);
  } else {
    const ir::NodeId relu_id = graph.values[positive].producer;
    if (relu_id == ir::kNone) return std::nullopt;
    const ir::Node& relu = graph.nodes[relu_id];
    if (relu.op != "Relu" || relu.inputs.size() != 1 || relu.inputs[0] != x) return std::nullopt;
    if (sole_consumer(graph, positive) != add_id) return std::nullopt;
    match.absorbed.push_back(relu_id);
  }
  match.alpha.resize(channels);
  for (int64_t c = 0; c < channels; ++c) match.alpha[c] = linear_part + 2.0f * (*scale)[c];
  return match;
}

}  // namespace

int fuse_decomposed_prelu(ir::Graph& graph) {
  std::vector<bool> alive(graph.nodes.size(), true);
  int fused = 0;
  for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph.nodes.size()); ++n) {
    if (!alive[n]) continue;
    std::optional<DecomposedPrelu> match = match_from_abs(graph, n);
    if (!match) continue;
    for (ir::NodeId absorbed : match->absorbed) alive[absorbed] = false;
    ++fused;
    if (match->identity) {
      ir::Node& identity = graph.nodes[match->add];
      identity.op = "Identity";
      identity.inputs = {match->x};
      continue;
    }
    const int64_t channels = static_cast<int64_t>(match->alpha.size());
    const std::string name = graph.nodes[match->add].name;
    const ir::ValueId alpha = fusion::add_float_constant(graph, name + "/prelu_alpha", {channels}, match->alpha);
    ir::Node& prelu = graph.nodes[match->add];
    prelu.op = "Prelu";
    prelu.inputs = {match->x, alpha};
  }
  graph.compact(alive);
  drop_identities(graph);
  return fused;
}

}  // namespace leanrt::passes
