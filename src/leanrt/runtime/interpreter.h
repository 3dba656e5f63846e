// The interpreter behind dynamic steps and loop bodies: evaluates nodes on
// concrete values, one at a time, preparing each from its actual inputs
// (shape inference, reference kernel) the way constant folding does.
// Handles what a static plan cannot: data-dependent shapes, dead values
// (Switch/Merge), tensor lists and While loops.
#pragma once

#include <vector>

#include "leanrt/base/mapped_file.h"
#include "leanrt/ir/graph.h"

namespace leanrt::runtime {

struct RuntimeValue {
  ConstBytes bytes;  // owned, or a view whose owner outlives the use
  DType dtype = DType::kInvalid;
  Shape shape;
  bool dead = false;  // on the untaken side of a Switch

  // Memory this value keeps alive (a list counts its elements).
  size_t held_bytes() const;
};

struct InterpreterLimits {
  int64_t max_loop_iterations = 1'000'000;
};

// Evaluates `node` of `graph` on `inputs` (one per node input).
Expected<std::vector<RuntimeValue>> evaluate_with_values(const ir::Graph& graph, const ir::Node& node,
                                                         const std::vector<RuntimeValue>& inputs,
                                                         const InterpreterLimits& limits);

// Runs a whole graph (a loop's cond or body) on concrete inputs, one per
// graph input; returns its outputs. Values are freed after their last use.
Expected<std::vector<RuntimeValue>> interpret_graph(const ir::Graph& graph, const std::vector<RuntimeValue>& inputs,
                                                    const InterpreterLimits& limits);

}  // namespace leanrt::runtime
