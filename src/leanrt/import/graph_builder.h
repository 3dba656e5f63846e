// Turns a TensorFlow-style node list (GraphDef NodeDefs, TF.js JSON nodes)
// into the IR: Const nodes become constant values, Placeholders graph
// inputs, "node:k" references become edges, control inputs are dropped,
// and nodes are sorted topologically.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "leanrt/ir/graph.h"

namespace leanrt::importer {

struct ImportedNode {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;  // "node", "node:k", "^control"
  ir::AttrMap attrs;
  // For Const: the value.
  std::optional<ConstBytes> constant;
  DType constant_dtype = DType::kInvalid;
  Shape constant_shape;
};

struct GraphDeclaration {
  std::string source;  // model file, for messages
  // Output tensor names; empty = every non-constant node output nothing reads.
  std::vector<std::string> outputs;
};

Expected<ir::Graph> build_graph(std::vector<ImportedNode> nodes, const GraphDeclaration& declaration);

// Splits "node:k" into ("node", k); "node" gives k = 0; "^node" is a control input.
struct TensorReference {
  std::string node;
  int output = 0;
  bool control = false;
};
TensorReference parse_tensor_reference(const std::string& text);

}  // namespace leanrt::importer
