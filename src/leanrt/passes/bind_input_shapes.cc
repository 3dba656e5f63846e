#include "leanrt/passes/passes.h"

namespace leanrt::passes {

Status bind_input_shapes(ir::Graph& graph, const std::map<std::string, Shape>& shapes, int64_t default_dim) {
  for (const auto& [name, shape] : shapes) {
    bool found = false;
    for (size_t i = 0; i < graph.inputs.size(); ++i)
      if (ir::same_tensor_name(graph.input_names[i], name) || ir::same_tensor_name(graph.values[graph.inputs[i]].name, name))
        found = true;
    if (!found) {
      std::vector<std::string> known(graph.input_names.begin(), graph.input_names.end());
      return invalid_argument("{}: unknown input \"{}\": the model's inputs are {}", graph.source, name,
                              fmt::join(known, ", "));
    }
  }
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    ir::Value& value = graph.values[graph.inputs[i]];
    auto given = shapes.end();
    for (auto it = shapes.begin(); it != shapes.end(); ++it)
      if (ir::same_tensor_name(it->first, graph.input_names[i]) || ir::same_tensor_name(it->first, value.name)) given = it;
    if (given == shapes.end()) {
      for (int64_t& dim : value.shape)
        if (dim < 0) dim = default_dim;
      continue;
    }
    const Shape& actual = given->second;
    if (!value.unknown_rank) {
      bool matches = actual.size() == value.shape.size();
      for (size_t d = 0; matches && d < actual.size(); ++d)
        matches = value.shape[d] < 0 || value.shape[d] == actual[d];
      if (!matches)
        return invalid_argument("{}: input \"{}\": expected shape {} (-1 = any), found {}", graph.source,
                                graph.input_names[i], shape_string(value.shape), shape_string(actual));
    }
    value.shape = actual;
  }
  return Status::ok();
}

}  // namespace leanrt::passes
