// Kernels: the code that computes one node.
//
// A Kernel is made once per node at compile time, when every shape is known:
// its factory reads the attributes, checks what the shape function did not,
// precomputes whatever the run needs and reports its workspace
// (scratch_bytes). `run` then receives views into memory it does not own
// (arena, weights, inputs) and must not allocate: no new, malloc, vector
// growth or hidden temporaries.
//
// Kernel names follow <op family>_<dtype>_<path>, e.g. conv2d_f32_ref.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "leanrt/base/dtype.h"
#include "leanrt/base/shape.h"
#include "leanrt/base/status.h"
#include "leanrt/ir/graph.h"

namespace leanrt::kernels {

struct TensorView {
  std::byte* data = nullptr;
  DType dtype = DType::kInvalid;
  Dims shape;
  // Set by the runtime on values a Switch did not route to (TF's dead
  // tensors); static kernels never see a dead input.
  bool dead = false;

  template <typename T>
  T* as() const { return reinterpret_cast<T*>(data); }
  int64_t elements() const { return shape.elements(); }
  size_t size_bytes() const { return static_cast<size_t>(elements()) * dtype_size(dtype); }
};

struct KernelIO {
  const TensorView* const* inputs = nullptr;
  int num_inputs = 0;
  TensorView* const* outputs = nullptr;
  int num_outputs = 0;
  std::byte* scratch = nullptr;  // scratch_bytes() bytes, 64-byte aligned

  const TensorView& input(int index) const { return *inputs[index]; }
  TensorView& output(int index) const { return *outputs[index]; }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status run(const KernelIO& io) = 0;
  virtual size_t scratch_bytes() const { return 0; }
  // Which implementation this is, e.g. "conv2d_f32_ref".
  virtual std::string name() const = 0;
  // Constant inputs (by input index) the kernel copied into a layout of its
  // own at compile time and never reads again: once no other step reads
  // them, the runtime frees them (owned) or releases their pages (mapped),
  // so weights are held once.
  virtual std::vector<int> packed_inputs() const { return {}; }
  // Bytes of those copies, held by the kernel.
  virtual size_t packed_weights_bytes() const { return 0; }
  // An input (by index) whose buffer output 0 may take over when no later
  // step reads it, for a node whose op is not elementwise as a whole; -1:
  // none beyond what the op's traits allow.
  virtual int in_place_input() const { return -1; }
};

// What a kernel factory sees at compile time: the node with every input and
// output typed and shaped; constant inputs carry their data.
class KernelContext {
 public:
  KernelContext(const ir::Graph& graph, const ir::Node& node) : graph_(graph), node_(node) {}
  const ir::Node& node() const { return node_; }
  const ir::Graph& graph() const { return graph_; }
  int num_inputs() const { return static_cast<int>(node_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(node_.outputs.size()); }
  const ir::Value& input(int index) const { return graph_.values[node_.inputs[index]]; }
  const ir::Value& output(int index) const { return graph_.values[node_.outputs[index]]; }
  const ir::AttrMap& attrs() const { return node_.attrs; }
  std::string where() const;
  Expected<std::vector<int64_t>> const_ints(int index) const;

  template <typename... Args>
  Status unsupported(fmt::format_string<Args...> format, Args&&... args) const {
    return ::leanrt::unsupported("{}: {}", where(), fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  Status error(fmt::format_string<Args...> format, Args&&... args) const {
    return ::leanrt::invalid_model("{}: {}", where(), fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  const ir::Graph& graph_;
  const ir::Node& node_;
};

using KernelPtr = std::unique_ptr<Kernel>;

enum class KernelChoice {
  kAuto,       // a fast path where one applies and was measured to win, else the reference
  kReference,  // the reference kernels only (--kernels reference)
};

struct KernelOptions {
  KernelChoice choice = KernelChoice::kAuto;
  int threads = 0;  // 0: all cores
};

// Sets how many threads the kernels use (OpenMP, which oneDNN runs on too):
// `threads` > 0, or 0 for the OpenMP default (all cores), never more than
// the calling thread's ThreadCeiling. Call it on the thread that compiles and
// on the thread that runs.
void apply_threads(int threads);

// While it lives, no kernel run from this thread uses more than `threads`
// threads (0: no ceiling), whatever it was made for: runtime::ThreadGovernor
// runs a model on one thread this way when cores are contended. A ceiling
// of one also sets OpenMP's max-active-levels to 0 (every parallel region
// then runs on its encountering thread alone): oneDNN's primitives ask for
// the thread count they were created with (`num_threads(nthr)`), which
// omp_set_num_threads does not lower, and they split their work by the
// team size they get. libgomp keeps that setting process-wide: a model run
// on another thread meanwhile also gets one-thread regions until it ends.
class ThreadCeiling {
 public:
  explicit ThreadCeiling(int threads);
  ~ThreadCeiling();
  ThreadCeiling(const ThreadCeiling&) = delete;
  ThreadCeiling& operator=(const ThreadCeiling&) = delete;
  // The ceiling in force on this thread, 0 for none.
  static int current();

 private:
  int previous_ceiling_ = 0;
  int previous_threads_ = 0;
  int previous_active_levels_ = -1;  // restored when a one-thread ceiling set it to 0
};

// The kernel a node runs with under `options`.
Expected<KernelPtr> make_kernel(const KernelContext& context, const KernelOptions& options);

// The reference kernel for a node (the portable oracle), by its op family.
Expected<KernelPtr> make_reference_kernel(const KernelContext& context);

// A fast kernel for the node, or a null KernelPtr when no fast path applies
// (defined by the fast backends, e.g. kernels/onednn/).
Expected<KernelPtr> make_fast_kernel(const KernelContext& context, const KernelOptions& options);

namespace ref {
#define LEANRT_FAMILY(family) Expected<KernelPtr> make_##family(const KernelContext& context);
#include "leanrt/ir/op_families.inc"
#undef LEANRT_FAMILY
}  // namespace ref

}  // namespace leanrt::kernels
