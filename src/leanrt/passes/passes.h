// Graph -> Graph passes. Each is small and tested on its own; compile runs
// them in the order listed here.
//
//   LEANRT_RETURN_IF_ERROR(bind_input_shapes(graph, {{"x", {32, 64, 64, 3}}}));
//   prune_to_outputs(graph);
//   drop_identities(graph);
//   LEANRT_RETURN_IF_ERROR(infer_and_fold(graph, evaluator, {}));
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "leanrt/base/status.h"
#include "leanrt/ir/graph.h"

namespace leanrt::passes {

// Sets each graph input's shape from the shape actually given, checking it
// against the declared one (-1 matches any size). Inputs not named keep
// their declared shape with unknown dims set to `default_dim`.
Status bind_input_shapes(ir::Graph& graph, const std::map<std::string, Shape>& shapes, int64_t default_dim = 1);

// A value an input is fixed to for one compilation.
struct InputValue {
  DType dtype = DType::kInvalid;
  Shape shape;
  std::vector<std::byte> bytes;
};

// Turns the named inputs into constants holding the given values (after
// their shapes are bound). Small inputs that steer control flow or shapes
// (a resize ratio, a loop bound) then fold away, and the plan around them
// becomes static; the caller compiles again when such a value changes.
Status specialize_inputs(ir::Graph& graph, const std::map<std::string, InputValue>& values);

// Removes every node the graph outputs do not depend on.
void prune_to_outputs(ir::Graph& graph);

// Removes Identity-like nodes (Identity, StopGradient, Snapshot,
// PreventGradient, NoOp) by routing their consumers (and graph outputs) to
// their input.
void drop_identities(ir::Graph& graph);

// Computes one node whose inputs are all constant (or, for shape-only ops,
// whose input shapes are known): returns the bytes of each output.
using Evaluator = std::function<Expected<std::vector<ConstBytes>>(const ir::Graph&, const ir::Node&)>;

struct FoldOptions {
  // A node is folded when its outputs take at most this many bytes, or no
  // more than its constant inputs do, so folding never multiplies the
  // weights held in memory.
  size_t max_folded_bytes = 64 * 1024;
  bool enabled = true;
};

// Infers every value's dtype and shape in topological order, folding nodes
// whose inputs are constants into constant values as it goes (shapes that
// depend on computed tensors, e.g. Shape -> StridedSlice -> Reshape, need
// this). Folded nodes are removed.
Status infer_and_fold(ir::Graph& graph, const Evaluator& evaluate, const FoldOptions& options);

}  // namespace leanrt::passes
