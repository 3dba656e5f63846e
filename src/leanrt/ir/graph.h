// The IR: a graph of Nodes connected by typed Values.
//
// A Value is one tensor: a node output, a graph input (no producer) or a
// constant (no producer, `constant` set). Ops keep TensorFlow semantics
// (NHWC, TF broadcasting, TF attribute names). Shapes may hold -1 until
// compile binds them from the inputs actually given.
//
//   Graph graph;
//   ValueId x = graph.add_input("x", DType::kF32, {-1, 4});
//   NodeId relu = graph.add_node("relu", "Relu", {x}, 1);
//   graph.outputs = {graph.nodes[relu].outputs[0]};
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "leanrt/base/dtype.h"
#include "leanrt/base/mapped_file.h"
#include "leanrt/base/shape.h"
#include "leanrt/ir/attr.h"

namespace leanrt::ir {

struct Graph;

using ValueId = int;
using NodeId = int;
constexpr int kNone = -1;

struct Value {
  std::string name;  // TensorFlow tensor name: "node" for output 0, "node:k" for k > 0
  DType dtype = DType::kInvalid;
  Shape shape;
  NodeId producer = kNone;
  int producer_output = 0;
  std::optional<ConstBytes> constant;  // set for constants (weights, folded values)
  // The shape depends on values known only at run time (Where, NMS, Range
  // of runtime scalars, ...): `shape` is meaningless until the value is
  // computed by a dynamic step.
  bool dynamic_shape = false;
  // Never computed: on the untaken side of a Switch whose predicate is known.
  bool dead = false;
  // A graph input declared without a rank (TF's unknown_rank): any shape
  // binds; unbound it defaults to a scalar.
  bool unknown_rank = false;

  bool is_constant() const { return constant.has_value(); }
};

struct Node {
  std::string name;
  std::string op;  // TensorFlow op type, e.g. "Conv2D"
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  AttrMap attrs;
  // Bodies of structured control flow: While has {cond, body}.
  std::vector<std::shared_ptr<const Graph>> subgraphs;
};

struct Graph {
  std::string source;  // the model file, for error messages
  std::vector<Node> nodes;  // kept in topological order by importers and passes
  std::vector<Value> values;
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  // Names the user addresses outputs by (parallel to `outputs`); stays stable
  // while passes reroute `outputs` (e.g. when an Identity is dropped).
  std::vector<std::string> output_names;
  std::vector<std::string> input_names;

  ValueId add_value(Value value);
  ValueId add_input(const std::string& name, DType dtype, Shape shape);
  ValueId add_constant(const std::string& name, DType dtype, Shape shape, ConstBytes bytes);
  // Adds a node with `num_outputs` outputs named by TensorFlow's convention.
  NodeId add_node(const std::string& name, const std::string& op, std::vector<ValueId> inputs,
                  int num_outputs, AttrMap attrs = {});
  // Appends one more output to a node (for ops whose output count is known only from attrs).
  ValueId add_output(NodeId node);

  // Finds a tensor by TensorFlow name: "node", "node:0", "node:k".
  std::optional<ValueId> find_value(const std::string& name) const;
  std::optional<NodeId> find_node(const std::string& name) const;

  // Consumers of each value: node ids, in node order (a node appears once per use).
  std::vector<std::vector<NodeId>> consumers() const;

  // Drops nodes and values no longer reachable and renumbers ids; keeps order.
  void compact(const std::vector<bool>& node_alive);
  // Sorts nodes topologically (stable: keeps the given order where possible).
  // Fails on a cycle, naming a node on it.
  Status sort_topologically();

  std::string describe(ValueId value) const;  // "tensor \"name\" [1, 2] float32"
};

std::string value_name(const std::string& node_name, int output_index);

// True when two names denote the same tensor: equal, or equal but for a
// trailing ":0" on one of them ("x" and "x:0").
bool same_tensor_name(const std::string& a, const std::string& b);

}  // namespace leanrt::ir
