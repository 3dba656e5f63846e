// The op table: every op leanrt knows, listed once in op_table.inc.
//
// A row names the TensorFlow op type, its family and its traits. The family
// picks the shape function here (ir/ops/<family>.cc) and the reference kernel
// (kernels/ref/<family>.cc); both are declared from op_families.inc, so a
// family missing either fails to link. The docs' op coverage page and the
// op-table test walk the same rows.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "leanrt/base/status.h"
#include "leanrt/ir/graph.h"

namespace leanrt::ir {

enum class OpFamily {
#define LEANRT_FAMILY(family) family,
#include "leanrt/ir/op_families.inc"
#undef LEANRT_FAMILY
};

// What the planner may do with an op's output buffer.
enum OpTraits : unsigned {
  kNoTraits = 0,
  // Output 0 is computed element by element from inputs of its own shape, so
  // it may be written over an input of equal bytes whose life ends here.
  kInPlace = 1u << 0,
  // Output 0 holds exactly input 0's bytes (Reshape, ExpandDims, ...): it can
  // share input 0's buffer whatever that buffer's lifetime.
  kAlias = 1u << 1,
  // Outputs depend on input shapes only (Shape, Size, Rank): computable at
  // compile time once shapes are bound, whatever the input data.
  kShapeOnly = 1u << 2,
  // A new value every run (random ops): never constant-folded.
  kStateful = 1u << 3,
};

struct ValueType {
  DType dtype = DType::kInvalid;
  Shape shape;
};

// What a shape function sees: the node and its inputs (shape, dtype and, for
// constants, the data).
class InferContext {
 public:
  InferContext(const Graph& graph, const Node& node) : graph_(graph), node_(node) {}
  const Node& node() const { return node_; }
  int num_inputs() const { return static_cast<int>(node_.inputs.size()); }
  const Value& input(int index) const { return graph_.values[node_.inputs[index]]; }
  const Shape& shape(int index) const { return input(index).shape; }
  DType dtype(int index) const { return input(index).dtype; }
  const AttrMap& attrs() const { return node_.attrs; }
  // Integer contents of a constant input (int32 or int64), or an error
  // naming the node when the input is not a constant integer tensor.
  Expected<std::vector<int64_t>> const_ints(int index) const;
  Expected<std::vector<double>> const_floats(int index) const;
  Status expect_inputs(int min_count, int max_count = -1) const;
  // kDynamicShape unless input `index` is a constant.
  Status expect_constant(int index) const;
  Status expect_rank(int index, int rank) const;

  // "model.json: node "name" (Op): " + message
  template <typename... Args>
  Status error(fmt::format_string<Args...> format, Args&&... args) const {
    return invalid_model("{}: {}", where(), fmt::format(format, std::forward<Args>(args)...));
  }
  std::string where() const;

 private:
  const Graph& graph_;
  const Node& node_;
};

using InferFn = Expected<std::vector<ValueType>> (*)(const InferContext&);

struct OpInfo {
  std::string_view name;
  OpFamily family;
  unsigned traits;
};

// nullptr when leanrt does not know the op.
const OpInfo* find_op(std::string_view name);
std::span<const OpInfo> all_ops();
std::string_view family_name(OpFamily family);
InferFn infer_function(OpFamily family);

// Shape functions, one per family, defined in ir/ops/<family>.cc.
namespace ops {
#define LEANRT_FAMILY(family) Expected<std::vector<ValueType>> infer_##family(const InferContext& context);
#include "leanrt/ir/op_families.inc"
#undef LEANRT_FAMILY
}  // namespace ops

}  // namespace leanrt::ir
