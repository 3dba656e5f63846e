// Graphs converted from NCHW frameworks (onnx-tf, tf2onnx round trips) wrap
// every convolution in a pair of Transposes: NCHW -> NHWC before it, back to
// NCHW after it, with the activation, Pad or Concat in between done in NCHW.
// Those copies cost a third of nanodet's run time and a buffer each.
//
// The pass moves a Transpose up through the layout-agnostic op that produces
// its input (elementwise ops, Pad, ConcatV2), permuting the op's attributes,
// until it meets the Transpose that undid it; two Transposes in a row become
// one with the composed permutation, or nothing when that is the identity.
// A Transpose only moves when moving adds no copy: through a one-input op, or
// through an op whose every computed input is an inverse Transpose.
#include <algorithm>
#include <numeric>

#include "leanrt/ir/op_table.h"
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"
#include "leanrt/passes/passes.h"

namespace leanrt::passes {
namespace {

using Perm = std::vector<int64_t>;

// The permutation of a Transpose with a constant, valid perm input.
std::optional<Perm> transpose_perm(const ir::Graph& graph, const ir::Node& node) {
  if (node.op != "Transpose" || node.inputs.size() != 2) return std::nullopt;
  auto perm = ir::InferContext(graph, node).const_ints(1);
  if (!perm) return std::nullopt;
  const int64_t rank = static_cast<int64_t>(perm->size());
  Perm seen(rank, 0);
  for (int64_t& axis : *perm) {
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank || seen[axis]++) return std::nullopt;
  }
  return *perm;
}

// Transpose(Transpose(x, inner), outer) == Transpose(x, composed).
Perm compose(const Perm& inner, const Perm& outer) {
  Perm composed(outer.size());
  for (size_t i = 0; i < outer.size(); ++i) composed[i] = inner[outer[i]];
  return composed;
}

Perm inverted(const Perm& perm) {
  Perm inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int64_t>(i);
  return inverse;
}

bool is_identity(const Perm& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

Shape permuted(const Shape& shape, const Perm& perm) {
  Shape result(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) result[i] = shape[perm[i]];
  return result;
}

ir::ValueId add_int_constant(ir::Graph& graph, const std::string& name, const Shape& shape,
                             const std::vector<int64_t>& values) {
  std::vector<int32_t> narrow(values.begin(), values.end());
  return graph.add_constant(name, DType::kI32, shape,
                            ConstBytes::copy_of(narrow.data(), narrow.size() * sizeof(int32_t)));
}

class TransposeMover {
 public:
  explicit TransposeMover(ir::Graph& graph) : graph_(graph) {}

  // One sweep over the graph; the number of Transposes moved or merged.
  int sweep() {
    int changed = 0;
    alive_.assign(graph_.nodes.size(), true);
    const size_t original_nodes = graph_.nodes.size();
    for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(original_nodes); ++n) {
      if (!alive_[n]) continue;
      const std::optional<Perm> perm = transpose_perm(graph_, graph_.nodes[n]);
      if (!perm) continue;
      if (merge_with_twin(n, *perm) || merge_with_input_transpose(n, *perm) || hoist_over_producer(n, *perm) || sink_below_consumers(n, *perm))
        ++changed;
    }
    alive_.resize(graph_.nodes.size(), true);
    graph_.compact(alive_);
    return changed;
  }

 private:
  // The Transpose producing `value`, with its perm, or kNone.
  ir::NodeId producing_transpose(ir::ValueId value, Perm* perm) const {
    const ir::NodeId producer = graph_.values[value].producer;
    if (producer == ir::kNone || !alive_[producer]) return ir::kNone;
    std::optional<Perm> found = transpose_perm(graph_, graph_.nodes[producer]);
    if (!found) return ir::kNone;
    *perm = *found;
    return producer;
  }

  // Two Transposes of one value by one perm (each branch of a converted
  // graph transposes the shared input for itself): the later one goes.
  bool merge_with_twin(ir::NodeId node, const Perm& perm) {
    const ir::ValueId source = graph_.nodes[node].inputs[0];
    for (ir::NodeId twin = 0; twin < node; ++twin) {
      if (!alive_[twin] || graph_.nodes[twin].inputs.empty() || graph_.nodes[twin].inputs[0] != source) continue;
      if (transpose_perm(graph_, graph_.nodes[twin]) != perm) continue;
      replace_uses(graph_.nodes[node].outputs[0], graph_.nodes[twin].outputs[0]);
      kill(node);
      return true;
    }
    return false;
  }

  // Transpose(Transpose(x, p), q): reads x with p∘q, or is dropped when that
  // is the identity (its readers then read x).
  bool merge_with_input_transpose(ir::NodeId node, const Perm& perm) {
    Perm inner;
    const ir::NodeId inner_node = producing_transpose(graph_.nodes[node].inputs[0], &inner);
    if (inner_node == ir::kNone) return false;
    const ir::ValueId source = graph_.nodes[inner_node].inputs[0];
    const Perm composed = compose(inner, perm);
    if (is_identity(composed)) {
      replace_uses(graph_.nodes[node].outputs[0], source);
      kill(node);
    } else {
      graph_.nodes[node].inputs = {source, perm_constant(graph_.nodes[node].name, composed)};
    }
    return true;
  }

  // Transpose(X(a, b, ...), perm) -> X(Transpose(a, perm), ...), when X is
  // layout-agnostic and the move adds no Transpose that is not cancelled.
  bool hoist_over_producer(ir::NodeId node, const Perm& perm) {
    const ir::ValueId moved_input = graph_.nodes[node].inputs[0];
    const ir::NodeId producer = graph_.values[moved_input].producer;
    if (producer == ir::kNone || !alive_[producer]) return false;
    if (fusion::sole_consumer(graph_, moved_input) != node) return false;
    const ir::Node& op = graph_.nodes[producer];
    if (op.outputs.size() != 1) return false;
    std::vector<int> data_inputs;
    if (!layout_agnostic_inputs(op, perm.size(), &data_inputs)) return false;
    if (data_inputs.size() == 1) {
      // A move that would not end at a Transpose only shuffles work, and
      // could part an activation from the conv it fuses into.
      if (!chain_reaches_transpose(op.inputs[data_inputs[0]]) && !pad_meets_window(op, node)) return false;
    } else {
      for (int i : data_inputs) {
        Perm inner;
        if (producing_transpose(op.inputs[i], &inner) == ir::kNone || !is_identity(compose(inner, perm))) return false;
      }
    }
    if (!permute_attributes(producer, perm)) return false;
    for (int i : data_inputs) graph_.nodes[producer].inputs[i] = transposed(graph_.nodes[producer].inputs[i], perm);
    alive_.resize(graph_.nodes.size(), true);
    fusion::absorb(graph_, producer, node, alive_);
    return true;
  }

  // X(Transpose(a, perm), ...) -> Transpose(X(a, ...), perm) for every
  // layout-agnostic reader X, so the Transpose travels down towards the one
  // that undoes it (a conv's NHWC -> NCHW towards the next conv's NCHW ->
  // NHWC) and the activation it separated meets its conv. Refused when it
  // would leave more Transposes than it removes.
  bool sink_below_consumers(ir::NodeId node, const Perm& perm) {
    const ir::ValueId output = graph_.nodes[node].outputs[0];
    if (std::find(graph_.outputs.begin(), graph_.outputs.end(), output) != graph_.outputs.end()) return false;
    std::vector<ir::NodeId> readers;
    int transpose_readers = 0;
    for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph_.nodes.size()); ++n) {
      if (!alive_[n]) continue;
      const auto& inputs = graph_.nodes[n].inputs;
      if (std::find(inputs.begin(), inputs.end(), output) == inputs.end()) continue;
      if (transpose_perm(graph_, graph_.nodes[n]) && inputs[0] == output) {
        ++transpose_readers;
        continue;
      }
      if (!all_data_inputs_transposed(n, perm)) return false;
      readers.push_back(n);
    }
    if (readers.empty() || readers.size() > static_cast<size_t>(1 + transpose_readers)) return false;
    const Perm inverse = inverted(perm);
    for (ir::NodeId reader : readers) {
      if (!permute_attributes(reader, inverse)) return false;  // checked first: nothing changed yet
    }
    for (ir::NodeId reader : readers) move_transpose_below(reader, perm, inverse);
    return true;
  }

  // Whether every data input of node `n` is a Transpose by `perm`.
  bool all_data_inputs_transposed(ir::NodeId n, const Perm& perm) const {
    const ir::Node& op = graph_.nodes[n];
    if (op.outputs.size() != 1) return false;
    std::vector<int> data_inputs;
    if (!layout_agnostic_inputs(op, perm.size(), &data_inputs)) return false;
    for (int i : data_inputs) {
      Perm inner;
      if (producing_transpose(op.inputs[i], &inner) == ir::kNone || inner != perm) return false;
    }
    return true;
  }

  // `reader` (attributes already permuted) reads its inputs untransposed and
  // a new Transpose restores its output's layout for its own readers.
  void move_transpose_below(ir::NodeId reader, const Perm& perm, const Perm& inverse) {
    std::vector<int> data_inputs;
    layout_agnostic_inputs(graph_.nodes[reader], perm.size(), &data_inputs);
    for (int i : data_inputs) {
      const ir::ValueId input = graph_.nodes[reader].inputs[i];
      graph_.nodes[reader].inputs[i] = graph_.nodes[graph_.values[input].producer].inputs[0];
    }
    const ir::ValueId result = graph_.nodes[reader].outputs[0];
    const ir::Value original = graph_.values[result];  // a copy: adding values may move them
    const std::string name = original.name + "/transposed";
    const ir::NodeId added = graph_.add_node(name, "Transpose", {result, perm_constant(name, perm)}, 1);
    alive_.resize(graph_.nodes.size(), true);
    const ir::ValueId restored = graph_.nodes[added].outputs[0];
    graph_.values[restored].dtype = original.dtype;
    graph_.values[restored].shape = original.shape;
    for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph_.nodes.size()); ++n)
      if (n != added) std::replace(graph_.nodes[n].inputs.begin(), graph_.nodes[n].inputs.end(), result, restored);
    std::replace(graph_.outputs.begin(), graph_.outputs.end(), result, restored);
    graph_.values[result].shape = permuted(original.shape, inverse);
  }

  // A Pad whose Transpose feeds a conv or pool: moved above the Pad, the
  // Transpose lets fold_pad_into_window fold the Pad into that window.
  bool pad_meets_window(const ir::Node& op, ir::NodeId transpose) const {
    if (op.op != "Pad" && op.op != "PadV2") return false;
    const ir::NodeId reader = fusion::sole_consumer(graph_, graph_.nodes[transpose].outputs[0]);
    return reader != ir::kNone && (fusion::is_conv(graph_.nodes[reader]) || graph_.nodes[reader].op == "MaxPool");
  }

  // Whether `value` comes from a Transpose through a chain of one-input
  // layout-agnostic ops, each read only by the next: a Transpose moved up
  // that chain meets it.
  bool chain_reaches_transpose(ir::ValueId value) const {
    for (size_t depth = 0; depth < graph_.nodes.size(); ++depth) {
      const ir::NodeId producer = graph_.values[value].producer;
      if (producer == ir::kNone || !alive_[producer]) return false;
      const ir::Node& op = graph_.nodes[producer];
      if (op.op == "Transpose") return true;
      std::vector<int> data_inputs;
      const size_t rank = graph_.values[value].shape.size();
      if (op.outputs.size() != 1 || !layout_agnostic_inputs(op, rank, &data_inputs) || data_inputs.size() != 1)
        return false;
      value = op.inputs[data_inputs[0]];
      if (fusion::sole_consumer(graph_, value) != producer) return false;
    }
    return false;
  }

  // Which inputs of `op` a Transpose can move above (the data, not a Pad's
  // paddings or a Concat's axis), or false when `op` depends on the layout.
  bool layout_agnostic_inputs(const ir::Node& op, size_t rank, std::vector<int>* data_inputs) const {
    const ir::Value& output = graph_.values[op.outputs[0]];
    if (output.dynamic_shape || output.shape.size() != rank) return false;
    const ir::OpInfo* info = ir::find_op(op.op);
    if (info == nullptr) return false;
    if (info->family == ir::OpFamily::unary || op.op == "Cast") {
      data_inputs->push_back(0);
      return true;
    }
    if (op.op == "Pad" || op.op == "PadV2" || op.op == "MirrorPad") {
      data_inputs->push_back(0);
      return graph_.values[op.inputs[1]].is_constant();
    }
    if (op.op == "ConcatV2") {
      for (int i = 0; i + 1 < static_cast<int>(op.inputs.size()); ++i) data_inputs->push_back(i);
      return graph_.values[op.inputs.back()].is_constant();
    }
    if (info->family == ir::OpFamily::binary) {
      // Inputs of the output's shape move; single values broadcast the same
      // in any layout; anything else broadcasts by position and pins it.
      for (int i = 0; i < static_cast<int>(op.inputs.size()); ++i) {
        const ir::Value& input = graph_.values[op.inputs[i]];
        if (input.shape == output.shape) data_inputs->push_back(i);
        else if (num_elements(input.shape) != 1) return false;
      }
      return !data_inputs->empty();
    }
    return false;
  }

  // The paddings of a Pad or the axis of a ConcatV2, rewritten for inputs
  // transposed by `perm`.
  bool permute_attributes(ir::NodeId producer, const Perm& perm) {
    ir::Node& op = graph_.nodes[producer];
    const int64_t rank = static_cast<int64_t>(perm.size());
    if (op.op == "Pad" || op.op == "PadV2" || op.op == "MirrorPad") {
      auto paddings = ir::InferContext(graph_, op).const_ints(1);
      if (!paddings || static_cast<int64_t>(paddings->size()) != 2 * rank) return false;
      std::vector<int64_t> moved(2 * rank);
      for (int64_t axis = 0; axis < rank; ++axis) {
        moved[2 * axis] = (*paddings)[2 * perm[axis]];
        moved[2 * axis + 1] = (*paddings)[2 * perm[axis] + 1];
      }
      const std::string name = op.name + "/paddings_transposed";
      const ir::ValueId replacement = add_int_constant(graph_, name, {rank, 2}, moved);
      graph_.nodes[producer].inputs[1] = replacement;
    } else if (op.op == "ConcatV2") {
      auto axis = ir::InferContext(graph_, op).const_ints(static_cast<int>(op.inputs.size()) - 1);
      if (!axis || axis->size() != 1) return false;
      const int64_t old_axis = (*axis)[0] < 0 ? (*axis)[0] + rank : (*axis)[0];
      const int64_t new_axis = std::find(perm.begin(), perm.end(), old_axis) - perm.begin();
      const std::string name = op.name + "/axis_transposed";
      const ir::ValueId replacement = add_int_constant(graph_, name, {}, {new_axis});
      graph_.nodes[producer].inputs.back() = replacement;
    }
    return true;
  }

  // `value` transposed by `perm`: the source of an inverse Transpose, or a
  // new Transpose node.
  ir::ValueId transposed(ir::ValueId value, const Perm& perm) {
    Perm inner;
    const ir::NodeId inner_node = producing_transpose(value, &inner);
    if (inner_node != ir::kNone && is_identity(compose(inner, perm))) return graph_.nodes[inner_node].inputs[0];
    const ir::Value source = graph_.values[value];  // a copy: adding values may move them
    const std::string name = source.name + "/transposed";
    const ir::ValueId perm_value = perm_constant(name, perm);
    const ir::NodeId added = graph_.add_node(name, "Transpose", {value, perm_value}, 1);
    ir::Value& result = graph_.values[graph_.nodes[added].outputs[0]];
    result.dtype = source.dtype;
    result.shape = permuted(source.shape, perm);
    return graph_.nodes[added].outputs[0];
  }

  ir::ValueId perm_constant(const std::string& node_name, const Perm& perm) {
    return add_int_constant(graph_, node_name + "/perm", {static_cast<int64_t>(perm.size())}, perm);
  }

  void replace_uses(ir::ValueId old_value, ir::ValueId new_value) {
    for (ir::Node& node : graph_.nodes)
      std::replace(node.inputs.begin(), node.inputs.end(), old_value, new_value);
    std::replace(graph_.outputs.begin(), graph_.outputs.end(), old_value, new_value);
  }

  void kill(ir::NodeId node) {
    graph_.nodes[node].inputs.clear();
    graph_.nodes[node].outputs.clear();
    alive_[node] = false;
  }

  ir::Graph& graph_;
  std::vector<bool> alive_;
};

}  // namespace

Status cancel_transposes(ir::Graph& graph) {
  // Each sweep moves Transposes up or removes them, so sweeps end; the bound
  // is a guard.
  for (size_t sweep = 0; sweep <= graph.nodes.size(); ++sweep) {
    if (TransposeMover(graph).sweep() == 0) break;
    LEANRT_RETURN_IF_ERROR(graph.sort_topologically());
  }
  // Transposes whose readers all moved away compute nothing anyone reads.
  prune_to_outputs(graph);
  return Status::ok();
}

}  // namespace leanrt::passes
