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

}  // namespace

Status infer_and_fold(ir::Graph& graph, const Evaluator& evaluate, const FoldOptions& options) {
  std::vector<bool> alive(graph.nodes.size(), true);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    ir::Node& node = graph.nodes[n];
    const ir::OpInfo* op = ir::find_op(node.op);
    if (op == nullptr)
      return unsupported("{}: node \"{}\": op {} is not supported by leanrt yet", graph.source, node.name, node.op);
    for (ir::ValueId input : node.inputs) {
      const ir::Value& value = graph.values[input];
      if (!is_fully_known(value.shape) && !(op->traits & ir::kShapeOnly && value.shape.empty()))
        return internal_error("{}: node \"{}\": input \"{}\" has unknown shape {} at compile time", graph.source,
                              node.name, value.name, shape_string(value.shape));
    }
    ir::InferContext context(graph, node);
    auto inferred = ir::infer_function(op->family)(context);
    if (!inferred) return inferred.status();
    if (inferred->size() < node.outputs.size())
      return invalid_model("{}: node \"{}\" ({}) has {} outputs, but output {} is used", graph.source, node.name,
                           node.op, inferred->size(), node.outputs.size() - 1);
    while (node.outputs.size() < inferred->size()) graph.add_output(static_cast<ir::NodeId>(n));
    ir::Node& typed = graph.nodes[n];  // add_output may have moved values, not nodes
    for (size_t k = 0; k < inferred->size(); ++k) {
      ir::Value& value = graph.values[typed.outputs[k]];
      value.dtype = (*inferred)[k].dtype;
      value.shape = (*inferred)[k].shape;
    }
    if (!foldable(graph, typed, *op, options)) continue;
    auto folded = evaluate(graph, typed);
    if (!folded) return folded.status();
    for (size_t k = 0; k < typed.outputs.size(); ++k) {
      ir::Value& value = graph.values[typed.outputs[k]];
      value.constant = std::move((*folded)[k]);
      value.producer = ir::kNone;
    }
    alive[n] = false;
  }
  graph.compact(alive);
  return Status::ok();
}

}  // namespace leanrt::passes
