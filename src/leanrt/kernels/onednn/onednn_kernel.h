// The oneDNN backend: primitives created at compile time for known shapes,
// with their arguments bound once, so a run only points the run-time
// arguments at the arena and calls execute.
//
//   OnednnKernelBuilder builder("conv2d_f32_onednn");
//   builder.bind_runtime(DNNL_ARG_SRC, src_desc, {Source::kInput, 0});
//   builder.bind_packed(DNNL_ARG_WEIGHTS, pd.weights_desc(), tf_weights_desc, filter_data);
//   ...
//   return builder.finish(dnnl::convolution_forward(pd), pd.scratchpad_desc());
//
// Ownership: the kernel owns its primitive, the memory objects and the
// weights it packed into oneDNN's preferred layout; it reports which constant
// inputs it packed (the runtime then drops or releases those) and its
// scratchpad size, which the planner places in the arena (scratchpad_mode
// user: oneDNN itself never allocates a scratchpad).
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <functional>
#include <string>
#include <vector>

#include "leanrt/base/mapped_file.h"
#include "leanrt/kernels/kernel.h"

namespace leanrt::kernels::onednn {

// The CPU engine and stream every oneDNN kernel uses (made on first use).
dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();

// The threads a primitive doing `work` multiply-adds (or element
// operations) runs on: one below `min_parallel_work`, where an OpenMP
// fork/join costs about what a second thread saves, else
// KernelOptions.threads (0: the OpenMP default). On a loaded machine a team
// barrier can wait for a descheduled thread (milliseconds); the thread
// governor then runs the whole model on one thread (runtime/thread_governor.h).
inline constexpr double kMinParallelWork = 1e6;
// Convolutions (dense, depthwise, transposed) and pooling: their work splits
// over output rows and channel blocks with no reduction across threads, and
// a second thread pays from ~100 K multiply-adds (~1 us on one core; a
// fork/join costs 0.6-1.1 us here). Measured at batch 1, threshold 1e6 ->
// 1e5: blazeface 5.1 -> 3.4 ms, gender 256 -> 189 us, mobilenet-v1-025 288 ->
// 224 us, selfie 1.38 -> 1.26 ms, signlang 58 -> 48 us. A dense layer at
// batch 1 streams its weights and keeps 1e6 (ae0: 17 -> 21 us at 1e5).
inline constexpr double kMinParallelConvWork = 1e5;
// A product with few rows (a dense layer at batch 1) streams its weights
// once per run: split across the threads, each core reads its half from its
// own L2, so each weight element read counts as this much work (64 K floats,
// 256 KiB, half an L2, and more go to the threads).
inline constexpr double kWeightStreamWork = 16.0;
int primitive_threads(double work, int threads, double min_parallel_work = kMinParallelWork);

// Sets the OpenMP thread count for a scope (when `threads` > 0) and puts the
// previous one back: a primitive is made and executed with the same count.
class ThreadCountScope {
 public:
  explicit ThreadCountScope(int threads);
  ~ThreadCountScope();
  ThreadCountScope(const ThreadCountScope&) = delete;
  ThreadCountScope& operator=(const ThreadCountScope&) = delete;

 private:
  int previous_ = 0;
};

// True when oneDNN picked its reference implementation ("ref:any"): correct
// but far slower than leanrt's own reference loops' fused forms, so callers
// retry with fewer post-ops or decline.
bool is_reference_implementation(const dnnl::primitive_desc_base& pd);

// Attributes every leanrt primitive shares: user scratchpad.
dnnl::primitive_attr base_attr();

// An NHWC activation tensor as oneDNN's logical (n, c, h, w) with NHWC strides.
dnnl::memory::desc nhwc_desc(int64_t batch, int64_t height, int64_t width, int64_t channels);

// "<op in snake_case>_f32_onednn", e.g. "leaky_relu_f32_onednn".
std::string kernel_name(std::string_view op);

// Converts a dnnl::error thrown while creating a primitive into a Status
// naming the node (oneDNN's C++ API throws; ours never does).
Status creation_error(const KernelContext& context, const std::string& what, const dnnl::error& error);

// Where a run-time argument's data comes from.
struct RuntimeSource {
  enum Kind { kInput, kOutput } kind = kInput;
  int index = 0;
};

class OnednnKernel;

// The graph value a packed weight was made from (see bind_packed).
struct PackedSource {
  const ir::Graph* graph = nullptr;
  ir::ValueId value = ir::kNone;
};

class OnednnKernelBuilder {
 public:
  explicit OnednnKernelBuilder(std::string name);
  ~OnednnKernelBuilder();
  // An argument whose data is in the arena (or a graph input): its handle is
  // set at each run.
  void bind_runtime(int arg, const dnnl::memory::desc& desc, RuntimeSource source);
  // An argument whose data is fixed at compile time (a constant the kernel
  // reads in place, or a buffer the kernel owns).
  void bind_fixed(int arg, const dnnl::memory::desc& desc, const void* data);
  // Reorders `source` (described by `source_desc`) once into `packed_desc`,
  // in a buffer the kernel owns, and binds that. `constant_input` >= 0 marks
  // the node input whose bytes are no longer needed afterwards. When
  // `shared_from` names the graph value `source` holds, kernels packing the
  // same value into the same layout (one weight read by several nodes, as
  // in an unrolled RNN) share one packed copy.
  Status bind_packed(int arg, const dnnl::memory::desc& packed_desc, const dnnl::memory::desc& source_desc,
                     const void* source, int constant_input, PackedSource shared_from = {});
  // Marks a constant input the kernel has copied (folded into its own
  // buffers) and will not read again.
  void mark_packed(int constant_input);
  // Keeps a buffer the kernel owns (e.g. a folded bias) alive with it.
  const void* keep(AlignedBuffer buffer);
  // The input output 0 may overwrite (Kernel::in_place_input).
  void set_in_place_input(int input);
  // Output 0 starts as input `input` (a sum post-op accumulates into dst):
  // each run copies that input into the output first, unless the planner
  // put the output over it (then the bytes are already there). The two
  // never partly overlap: live tensors share all their bytes or none.
  void set_accumulate_input(int input);
  // Work on the output after each execute (an activation oneDNN has no fast
  // post-op for); must not allocate.
  void set_after_execute(std::function<void(const KernelIO&)> after);
  // `threads`: the count the primitive was made with (primitive_threads).
  KernelPtr finish(dnnl::primitive primitive, const dnnl::memory::desc& scratchpad_desc, int threads);

 private:
  std::unique_ptr<OnednnKernel> kernel_;
};

}  // namespace leanrt::kernels::onednn
