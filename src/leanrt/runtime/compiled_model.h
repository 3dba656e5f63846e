// CompiledModel: a graph optimized for concrete input shapes, its memory
// plan, one arena, and a kernel per node bound to arena offsets.
//
//   CompileOptions options;
//   options.input_shapes = {{"x", {32, 64, 64, 3}}};
//   LEANRT_ASSIGN_OR_RETURN(auto model, CompiledModel::compile(graph, options));
//   LEANRT_RETURN_IF_ERROR(model->set_input(0, x_data));
//   LEANRT_RETURN_IF_ERROR(model->run());
//   const kernels::TensorView& y = model->output(0);
//
// After compile, run() performs no heap allocation: every buffer, view and
// kernel state exists already. Inputs are bound by pointer (zero-copy).
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "leanrt/base/code_pages.h"
#include "leanrt/base/mapped_file.h"
#include "leanrt/ir/graph.h"
#include "leanrt/kernels/kernel.h"
#include "leanrt/passes/passes.h"
#include "leanrt/plan/planner.h"
#include "leanrt/runtime/interpreter.h"
#include "leanrt/runtime/thread_governor.h"

namespace leanrt::runtime {

struct CompileOptions {
  // Concrete shapes for (some) inputs; other unknown dims become `default_dim`.
  std::map<std::string, Shape> input_shapes;
  // Inputs fixed to a value for this compilation (see
  // passes::specialize_inputs); they are then not among inputs().
  std::map<std::string, passes::InputValue> input_values;
  int64_t default_dim = 1;
  // Tensor names to compute; empty means the model's declared outputs.
  std::vector<std::string> outputs;
  passes::FoldOptions fold;
  kernels::KernelOptions kernels;
  // Memory held by dynamic steps (data-dependent shapes) at any moment of a
  // run; exceeding it is an error naming the step.
  size_t max_dynamic_bytes = size_t{1} << 30;
  // A While loop running more iterations is stopped with an error.
  int64_t max_loop_iterations = 1'000'000;
  // Memory strategies, each switchable for comparison.
  bool in_place = true;      // outputs may overwrite dying inputs
  bool share_arena = true;   // false: every tensor its own region
  bool map_weights = true;   // false: weights mapped from the model file are copied to anonymous memory
  // Compile ends by dropping the resident code pages of the binary and its
  // libraries (base/code_pages.h): the importers', protobuf's, the JIT
  // generators' and oneDNN's start-up code is not needed to run, and the
  // run pages back only what it executes (4-10 MiB less at the run's peak).
  bool release_code_pages = true;
  // run() measures itself and runs on one thread instead of `kernels.threads`
  // when that is faster (runtime/thread_governor.h: contended cores make
  // every parallel region wait a time slice). false: always kernels.threads.
  bool adapt_threads = true;
};

// Facts about one tensor crossing the model boundary.
struct TensorInfo {
  std::string name;
  DType dtype = DType::kInvalid;
  Shape shape;
  // Known only after a run (a data-dependent output); `shape` is then empty
  // and the output view carries each run's shape.
  bool dynamic_shape = false;
};

// One executed node, for inspect and profile.
struct StepInfo {
  std::string node;
  std::string op;
  std::string kernel;
  size_t output_bytes = 0;
  size_t scratch_bytes = 0;
  size_t packed_weights_bytes = 0;  // weights the kernel packed into its own layout
};

// One tensor the planner placed: a node output or a step's scratch. Index
// k matches memory_plan().offsets[k] and buffer_of[k].
struct PlannedTensor {
  std::string name;    // the value's name, or "<node> (scratch)"
  size_t size_bytes = 0;
  int first_step = 0;  // the step that writes it
  int last_step = 0;   // its last reader; steps().size() when read after the run (an output)
  bool scratch = false;
};

class CompiledModel {
 public:
  static Expected<std::unique_ptr<CompiledModel>> compile(const ir::Graph& model, const CompileOptions& options);
  // Takes the graph over: constants the kernels packed are then freed, not
  // held twice (the const& form leaves the caller's graph holding them).
  static Expected<std::unique_ptr<CompiledModel>> compile(ir::Graph&& model, const CompileOptions& options);

  const std::vector<TensorInfo>& inputs() const { return inputs_; }
  const std::vector<TensorInfo>& outputs() const { return outputs_; }
  // Binds input `index` to caller memory of the input's dtype and shape; the
  // memory must stay valid and unchanged until run() returns.
  void set_input(int index, const void* data);
  // On a machine with more than one thread configured, run() also measures
  // itself and now and then tries one thread instead (CompileOptions::
  // adapt_threads, runtime/thread_governor.h).
  Status run();
  // Whether run() keeps to one thread now (cores found contended).
  bool runs_single_threaded() const;
  // run(), also storing step s's wall time in seconds in step_seconds[s]
  // (one slot per steps() entry), for profile. Allocates nothing; run()
  // itself does not pay for it.
  Status run_timed(std::span<double> step_seconds);
  const kernels::TensorView& output(int index) const { return *output_views_[index]; }

  const ir::Graph& graph() const { return graph_; }
  const std::vector<StepInfo>& steps() const { return step_infos_; }
  const plan::Plan& memory_plan() const { return plan_; }
  const std::vector<PlannedTensor>& planned_tensors() const { return planned_tensors_; }
  // Whether compile ended by releasing the code pages (CompileOptions::release_code_pages).
  bool code_pages_released() const { return code_pages_released_; }
  size_t arena_bytes() const { return plan_.arena_bytes; }
  size_t arena_bytes_lower_bound() const { return plan_.arena_bytes_lower_bound; }
  // Bytes of constants the kernels read, split by where they live.
  size_t weights_bytes() const { return weights_mapped_bytes_ + weights_owned_bytes_; }
  size_t weights_mapped_bytes() const { return weights_mapped_bytes_; }
  size_t weights_owned_bytes() const { return weights_owned_bytes_; }
  // Steps whose shapes are known only at run time, and the most memory
  // they held at once during the last run (the dynamic region's peak).
  int dynamic_steps() const { return dynamic_steps_; }
  size_t dynamic_peak_bytes() const { return dynamic_peak_bytes_; }
  size_t max_dynamic_bytes() const { return max_dynamic_bytes_; }

 private:
  CompiledModel() = default;
  Status build(ir::Graph model, const CompileOptions& options);
  // Checks `code_budget` (if any) after each kernel is made.
  Status bind_kernels(const kernels::KernelOptions& options, CodePageBudget* code_budget);
  bool code_pages_released_ = false;
  // From the compile that released the code pages to the end of the first
  // run: oneDNN's code faulted back a page at a time (ExactCodeFaults).
  std::unique_ptr<ExactCodeFaults> first_run_code_faults_;
  Status plan_arena(const CompileOptions& options);
  void count_weights();
  void copy_mapped_weights();
  template <bool kTimed>
  Status run_steps(double* step_seconds);
  void schedule_dynamic_releases(const std::vector<int>& last_use);

  struct Step {
    kernels::KernelPtr kernel;
    std::vector<const kernels::TensorView*> inputs;
    std::vector<kernels::TensorView*> outputs;
    size_t scratch_offset = 0;
    class DynamicStep* dynamic = nullptr;  // the kernel, when the step is dynamic
    // Dynamic values whose last reader is this step: (producer step, output).
    std::vector<std::pair<int, int>> release_after;
  };

  ir::Graph graph_;
  std::vector<Step> steps_;
  std::vector<StepInfo> step_infos_;
  std::vector<kernels::TensorView> views_;  // one per graph value
  std::vector<TensorInfo> inputs_, outputs_;
  std::vector<kernels::TensorView*> input_views_;
  std::vector<const kernels::TensorView*> output_views_;
  plan::Plan plan_;
  std::vector<PlannedTensor> planned_tensors_;
  AlignedBuffer arena_;
  size_t weights_mapped_bytes_ = 0;
  size_t weights_owned_bytes_ = 0;  // incl. weights the kernels packed
  int threads_ = 0;
  ThreadGovernor governor_;
  int dynamic_steps_ = 0;
  InterpreterLimits limits_;
  size_t dynamic_live_bytes_ = 0;
  size_t dynamic_peak_bytes_ = 0;
  size_t max_dynamic_bytes_ = 0;
};

// Evaluates one node whose inputs are constants (used by constant folding):
// the reference kernel, run once on freshly allocated outputs.
Expected<std::vector<ConstBytes>> evaluate_node(const ir::Graph& graph, const ir::Node& node);

}  // namespace leanrt::runtime
