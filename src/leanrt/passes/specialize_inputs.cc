#include "leanrt/passes/passes.h"

namespace leanrt::passes {

Status specialize_inputs(ir::Graph& graph, const std::map<std::string, InputValue>& values) {
  if (values.empty()) return Status::ok();
  std::vector<ir::ValueId> kept_inputs;
  std::vector<std::string> kept_names;
  size_t used = 0;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    ir::Value& value = graph.values[graph.inputs[i]];
    auto given = values.end();
    for (auto it = values.begin(); it != values.end(); ++it)
      if (ir::same_tensor_name(it->first, graph.input_names[i])) given = it;
    if (given == values.end()) {
      kept_inputs.push_back(graph.inputs[i]);
      kept_names.push_back(graph.input_names[i]);
      continue;
    }
    const InputValue& input = given->second;
    if (input.dtype != value.dtype || input.shape != value.shape ||
        input.bytes.size() != static_cast<size_t>(num_elements(input.shape)) * dtype_size(input.dtype))
      return invalid_argument("{}: input \"{}\": the value to specialize on is {} {}, the input is {} {}",
                              graph.source, graph.input_names[i], shape_string(input.shape), dtype_name(input.dtype),
                              shape_string(value.shape), dtype_name(value.dtype));
    value.constant = ConstBytes::copy_of(input.bytes.data(), input.bytes.size());
    ++used;
  }
  if (used != values.size())
    return invalid_argument("{}: a value to specialize on names no model input", graph.source);
  graph.inputs = std::move(kept_inputs);
  graph.input_names = std::move(kept_names);
  return Status::ok();
}

}  // namespace leanrt::passes
