#include "leanrt/ir/op_table.h"
#include "leanrt/passes/passes.h"

namespace leanrt::passes {
namespace {

bool foldable(const ir::Graph& graph, const ir::Node& node, const ir::OpInfo& op, const FoldOptions& options) {
  if (!options.enabled || (op.traits & ir::kStateful)) return false;
  size_t constant_input_bytes = 0;
  for (ir::ValueId input : node.inputs) {
    const ir::Value& value = graph.values[input];
    if (!value.is_constant() && !(op.traits & ir::kShapeOnly)) return false;
    if (value.is_constant()) constant_input_bytes += value.constant->size_bytes;
  }
  size_t output_bytes = 0;
  for (ir::ValueId output : node.outputs) {
    const ir::Value& value = graph.values[output];
    if (dtype_size(value.dtype) == 0) return false;
    output_bytes += static_cast<size_t>(num_elements(value.shape)) * dtype_size(value.dtype);
  }
  return output_bytes <= std::max(options.max_folded_bytes, constant_input_bytes);
}

void mark_outputs(ir::Graph& graph, const ir::Node& node, bool dead, bool dynamic) {
  for (ir::ValueId output : node.outputs) {
    graph.values[output].dead = dead;
    graph.values[output].dynamic_shape = dynamic;
  }
}

bool constant_true(const ir::Value& value) {
  if (!value.is_constant() || value.constant->size_bytes == 0) return false;
  for (size_t b = 0; b < dtype_size(value.dtype); ++b)
    if (value.constant->data[b] != std::byte{0}) return true;
  return false;
}

// The fold pass walks nodes in order; a replacement table reroutes reads of
// values that a resolved Switch or Merge forwarded.
class InferAndFold {
 public:
  InferAndFold(ir::Graph& graph, const Evaluator& evaluate, const FoldOptions& options)
      : graph_(graph), evaluate_(evaluate), options_(options), alive_(graph.nodes.size(), true) {
    replacement_.resize(graph.values.size());
    for (size_t v = 0; v < replacement_.size(); ++v) replacement_[v] = static_cast<ir::ValueId>(v);
  }

  Status run() {
    for (size_t n = 0; n < graph_.nodes.size(); ++n) LEANRT_RETURN_IF_ERROR(visit(static_cast<ir::NodeId>(n)));
    for (ir::ValueId& output : graph_.outputs) output = resolve(output);
    for (size_t i = 0; i < graph_.outputs.size(); ++i)
      if (graph_.values[graph_.outputs[i]].dead)
        return invalid_argument("{}: output \"{}\" is never computed: it lies on the untaken side of a Switch",
                                graph_.source, graph_.output_names[i]);
    graph_.compact(alive_);
    return Status::ok();
  }

 private:
  // Values added while the pass runs (extra outputs) map to themselves.
  void cover_new_values() {
    for (size_t v = replacement_.size(); v < graph_.values.size(); ++v)
      replacement_.push_back(static_cast<ir::ValueId>(v));
  }

  ir::ValueId resolve(ir::ValueId value) {
    cover_new_values();
    while (replacement_[value] != value) value = replacement_[value];
    return value;
  }

  // Routes every read of `from` to `to` (a folded Switch/Merge forwards).
  void forward(ir::ValueId from, ir::ValueId to) {
    cover_new_values();
    replacement_[from] = to;
  }

  Status visit(ir::NodeId id) {
    ir::Node& node = graph_.nodes[id];
    for (ir::ValueId& input : node.inputs) input = resolve(input);
    const ir::OpInfo* op = ir::find_op(node.op);
    if (op == nullptr)
      return unsupported("{}: node \"{}\": op {} is not supported by leanrt yet", graph_.source, node.name, node.op);
    bool any_dead = false, any_dynamic = false, all_dead = !node.inputs.empty();
    for (ir::ValueId input : node.inputs) {
      any_dead = any_dead || graph_.values[input].dead;
      all_dead = all_dead && graph_.values[input].dead;
      any_dynamic = any_dynamic || graph_.values[input].dynamic_shape;
    }
    // A dead input kills a node (Merge needs only one live input).
    if ((any_dead && node.op != "Merge") || all_dead) {
      while (node.outputs.empty()) graph_.add_output(id);
      mark_outputs(graph_, graph_.nodes[id], true, false);
      alive_[id] = false;
      return Status::ok();
    }
    if (node.op == "Switch" && !any_dynamic && graph_.values[node.inputs[1]].is_constant())
      return fold_switch(id);
    if (node.op == "Merge" && !any_dynamic && fold_merge(id)) return Status::ok();
    if (any_dynamic || (node.op == "Switch")) {
      mark_dynamic(id);
      return Status::ok();
    }
    for (ir::ValueId input : node.inputs) {
      const ir::Value& value = graph_.values[input];
      if (!is_fully_known(value.shape))
        return internal_error("{}: node \"{}\": input \"{}\" has unknown shape {} at compile time", graph_.source,
                              node.name, value.name, shape_string(value.shape));
    }
    ir::InferContext context(graph_, node);
    auto inferred = ir::infer_function(op->family)(context);
    if (!inferred && inferred.status().code() == ErrorCode::kDynamicShape) {
      mark_dynamic(id);
      return Status::ok();
    }
    if (!inferred) return inferred.status();
    if (inferred->size() < graph_.nodes[id].outputs.size())
      return invalid_model("{}: node \"{}\" ({}) has {} outputs, but output {} is used", graph_.source, node.name,
                           node.op, inferred->size(), graph_.nodes[id].outputs.size() - 1);
    while (graph_.nodes[id].outputs.size() < inferred->size()) graph_.add_output(id);
    ir::Node& typed = graph_.nodes[id];
    for (size_t k = 0; k < inferred->size(); ++k) {
      ir::Value& value = graph_.values[typed.outputs[k]];
      value.dtype = (*inferred)[k].dtype;
      value.shape = (*inferred)[k].shape;
      // Tensor lists exist only at run time, inside dynamic steps.
      if (value.dtype == DType::kVariant) any_dynamic = true;
    }
    if (any_dynamic) {
      mark_dynamic(id);
      return Status::ok();
    }
    if (!foldable(graph_, typed, *op, options_)) return Status::ok();
    auto folded = evaluate_(graph_, typed);
    if (!folded) return folded.status();
    for (size_t k = 0; k < typed.outputs.size(); ++k) {
      ir::Value& value = graph_.values[typed.outputs[k]];
      value.constant = std::move((*folded)[k]);
      value.producer = ir::kNone;
    }
    alive_[id] = false;
    return Status::ok();
  }

  void mark_dynamic(ir::NodeId id) {
    ir::Node& node = graph_.nodes[id];
    if (node.outputs.empty()) graph_.add_output(id);
    mark_outputs(graph_, graph_.nodes[id], false, true);
  }

  // Switch with a known predicate: the taken output is the data itself,
  // the other is dead.
  Status fold_switch(ir::NodeId id) {
    while (graph_.nodes[id].outputs.size() < 2) graph_.add_output(id);
    const ir::Node& node = graph_.nodes[id];
    const bool taken = constant_true(graph_.values[node.inputs[1]]);
    graph_.values[node.outputs[taken ? 0 : 1]].dead = true;
    forward(node.outputs[taken ? 1 : 0], node.inputs[0]);
    alive_[id] = false;
    return Status::ok();
  }

  // Merge with exactly one live input forwards it; value_index is constant.
  bool fold_merge(ir::NodeId id) {
    const ir::Node& node = graph_.nodes[id];
    int live = -1;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (graph_.values[node.inputs[i]].dead) continue;
      if (live >= 0) return false;
      live = static_cast<int>(i);
    }
    while (graph_.nodes[id].outputs.size() < 2) graph_.add_output(id);
    const ir::Node& merge = graph_.nodes[id];
    forward(merge.outputs[0], merge.inputs[live]);
    ir::Value& index = graph_.values[merge.outputs[1]];
    const int32_t value_index = live;
    index.dtype = DType::kI32;
    index.shape = {};
    index.constant = ConstBytes::copy_of(&value_index, sizeof value_index);
    index.producer = ir::kNone;
    alive_[id] = false;
    return true;
  }

  ir::Graph& graph_;
  const Evaluator& evaluate_;
  const FoldOptions& options_;
  std::vector<bool> alive_;
  std::vector<ir::ValueId> replacement_;
};

}  // namespace

Status infer_and_fold(ir::Graph& graph, const Evaluator& evaluate, const FoldOptions& options) {
  return InferAndFold(graph, evaluate, options).run();
}

}  // namespace leanrt::passes
