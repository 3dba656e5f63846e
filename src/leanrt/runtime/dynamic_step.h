// A dynamic step: a node whose output shapes depend on values known only at
// run time (Where, NonMaxSuppression, Range of runtime scalars, anything
// downstream of them, Switch/Merge on a runtime predicate, While loops and
// tensor lists). It is a Kernel evaluated anew each run by the interpreter
// from the actual input values; its outputs live in memory the step holds
// until the runtime releases them after their last reader. Only dynamic
// steps allocate during a run; the static plan around them does not.
#pragma once

#include <vector>

#include "leanrt/ir/graph.h"
#include "leanrt/kernels/kernel.h"
#include "leanrt/runtime/interpreter.h"

namespace leanrt::runtime {

class DynamicStep final : public kernels::Kernel {
 public:
  DynamicStep(const ir::Graph& graph, ir::NodeId node, InterpreterLimits limits)
      : graph_(graph), node_(node), limits_(limits) {}

  // Reads the inputs' data, shapes and liveness (TensorView::dead); sets the
  // outputs' data, dtype, shape and liveness.
  Status run(const kernels::KernelIO& io) override;
  std::string name() const override;
  // Frees output k's memory (after its last reader ran); returns its bytes.
  size_t release(int output);
  size_t held_bytes() const;

 private:
  const ir::Graph& graph_;
  ir::NodeId node_;
  InterpreterLimits limits_;
  std::vector<RuntimeValue> held_;  // per output
};

}  // namespace leanrt::runtime
