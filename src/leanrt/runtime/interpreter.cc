#include "leanrt/runtime/interpreter.h"

#include "leanrt/ir/op_table.h"
#include "leanrt/ir/tensor_list.h"
#include "leanrt/runtime/compiled_model.h"

namespace leanrt::runtime {

size_t RuntimeValue::held_bytes() const {
  if (!bytes.owner) return 0;
  if (dtype == DType::kVariant) return ir::as_tensor_list(bytes.data)->size_bytes();
  return bytes.size_bytes;
}

namespace {

RuntimeValue copy_value(const RuntimeValue& value) {
  if (value.dtype == DType::kVariant) return value;  // lists are immutable once made: share
  RuntimeValue copy = value;
  copy.bytes = ConstBytes::copy_of(value.bytes.data, value.bytes.size_bytes);
  return copy;
}

std::vector<RuntimeValue> all_dead(size_t count) {
  std::vector<RuntimeValue> outputs(count);
  for (RuntimeValue& output : outputs) output.dead = true;
  return outputs;
}

bool truthy(const RuntimeValue& value) {
  for (size_t b = 0; b < value.bytes.size_bytes; ++b)
    if (value.bytes.data[b] != std::byte{0}) return true;
  return false;
}

// Switch forwards its data to the output its predicate picks; Merge its
// first live input and that input's index.
std::vector<RuntimeValue> route(const ir::Node& node, const std::vector<RuntimeValue>& inputs) {
  const size_t count = std::max<size_t>(node.outputs.size(), node.op == "Switch" ? 2 : 1);
  std::vector<RuntimeValue> outputs = all_dead(count);
  if (node.op == "Switch") {
    if (inputs[0].dead || inputs[1].dead) return outputs;
    const int live = truthy(inputs[1]) ? 1 : 0;
    outputs[live] = copy_value(inputs[0]);
    return outputs;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dead) continue;
    outputs[0] = copy_value(inputs[i]);
    if (count > 1) {
      const int32_t index = static_cast<int32_t>(i);
      outputs[1] = {ConstBytes::copy_of(&index, sizeof index), DType::kI32, {}, false};
    }
    return outputs;
  }
  return outputs;
}

// TF's While: evaluate cond on the loop variables; while true, replace them
// by the body's outputs.
Expected<std::vector<RuntimeValue>> run_while(const ir::Graph& graph, const ir::Node& node,
                                              const std::vector<RuntimeValue>& inputs,
                                              const InterpreterLimits& limits) {
  if (node.subgraphs.size() != 2)
    return invalid_model("{}: While \"{}\" needs a cond and a body subgraph", graph.source, node.name);
  const ir::Graph& cond = *node.subgraphs[0];
  const ir::Graph& body = *node.subgraphs[1];
  std::vector<RuntimeValue> variables;
  for (const RuntimeValue& input : inputs) variables.push_back(copy_value(input));
  for (int64_t iteration = 0;; ++iteration) {
    LEANRT_ASSIGN_OR_RETURN(std::vector<RuntimeValue> decision, interpret_graph(cond, variables, limits));
    if (decision.empty() || !truthy(decision[0])) break;
    if (iteration >= limits.max_loop_iterations)
      return make_error(ErrorCode::kResourceExhausted,
                        "{}: loop \"{}\" did not finish within --max-loop-iterations {} iterations", graph.source,
                        node.name, limits.max_loop_iterations);
    LEANRT_ASSIGN_OR_RETURN(std::vector<RuntimeValue> next, interpret_graph(body, variables, limits));
    if (next.size() != variables.size())
      return invalid_model("{}: loop \"{}\" body returns {} values for {} loop variables", graph.source, node.name,
                           next.size(), variables.size());
    for (size_t i = 0; i < next.size(); ++i) variables[i] = copy_value(next[i]);
  }
  return variables;
}

}  // namespace

Expected<std::vector<RuntimeValue>> evaluate_with_values(const ir::Graph& graph, const ir::Node& node,
                                                         const std::vector<RuntimeValue>& inputs,
                                                         const InterpreterLimits& limits) {
  if (node.op == "Switch" || node.op == "Merge") return route(node, inputs);
  for (const RuntimeValue& input : inputs)
    if (input.dead) return all_dead(node.outputs.size());
  if (node.op == "While" || node.op == "StatelessWhile") return run_while(graph, node, inputs, limits);
  // A one-node graph whose inputs are constants viewing the input data,
  // inferred and evaluated exactly as constant folding does.
  const ir::OpInfo* op = ir::find_op(node.op);
  if (op == nullptr)
    return unsupported("{}: node \"{}\": op {} is not supported by leanrt yet", graph.source, node.name, node.op);
  ir::Graph scratch;
  scratch.source = graph.source;
  std::vector<ir::ValueId> scratch_inputs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    ConstBytes view{nullptr, inputs[i].bytes.data, inputs[i].bytes.size_bytes, false};
    scratch_inputs.push_back(scratch.add_constant(graph.values[node.inputs[i]].name, inputs[i].dtype, inputs[i].shape, view));
  }
  const ir::NodeId copy =
      scratch.add_node(node.name, node.op, scratch_inputs, static_cast<int>(node.outputs.size()), node.attrs);
  ir::InferContext context(scratch, scratch.nodes[copy]);
  LEANRT_ASSIGN_OR_RETURN(std::vector<ir::ValueType> types, ir::infer_function(op->family)(context));
  while (scratch.nodes[copy].outputs.size() < types.size()) scratch.add_output(copy);
  for (size_t k = 0; k < types.size(); ++k) {
    ir::Value& value = scratch.values[scratch.nodes[copy].outputs[k]];
    value.dtype = types[k].dtype;
    value.shape = types[k].shape;
  }
  LEANRT_ASSIGN_OR_RETURN(std::vector<ConstBytes> results, evaluate_node(scratch, scratch.nodes[copy]));
  std::vector<RuntimeValue> outputs;
  for (size_t k = 0; k < results.size(); ++k) outputs.push_back({std::move(results[k]), types[k].dtype, types[k].shape, false});
  return outputs;
}

Expected<std::vector<RuntimeValue>> interpret_graph(const ir::Graph& graph, const std::vector<RuntimeValue>& inputs,
                                                    const InterpreterLimits& limits) {
  if (inputs.size() != graph.inputs.size())
    return internal_error("{}: subgraph takes {} inputs, given {}", graph.source, graph.inputs.size(), inputs.size());
  std::vector<RuntimeValue> values(graph.values.size());
  for (size_t v = 0; v < graph.values.size(); ++v) {
    const ir::Value& value = graph.values[v];
    if (value.is_constant()) values[v] = {*value.constant, value.dtype, value.shape, false};
  }
  for (size_t i = 0; i < inputs.size(); ++i) values[graph.inputs[i]] = inputs[i];
  // Free each value after its last reader (outputs are kept).
  std::vector<int> last_use(graph.values.size(), -1);
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    for (ir::ValueId input : graph.nodes[n].inputs) last_use[input] = static_cast<int>(n);
  for (ir::ValueId output : graph.outputs) last_use[output] = static_cast<int>(graph.nodes.size());
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const ir::Node& node = graph.nodes[n];
    std::vector<RuntimeValue> node_inputs;
    for (ir::ValueId input : node.inputs) node_inputs.push_back(values[input]);
    auto outputs = evaluate_with_values(graph, node, node_inputs, limits);
    if (!outputs) return outputs.status();
    for (size_t k = 0; k < node.outputs.size() && k < outputs->size(); ++k) values[node.outputs[k]] = std::move((*outputs)[k]);
    for (ir::ValueId input : node.inputs)
      if (last_use[input] == static_cast<int>(n) && !graph.values[input].is_constant()) values[input] = RuntimeValue{};
  }
  std::vector<RuntimeValue> results;
  for (ir::ValueId output : graph.outputs) results.push_back(values[output]);
  return results;
}

}  // namespace leanrt::runtime
