// The fast-path dispatcher: which backend (if any) computes a node faster
// than its reference kernel. Choices were made by measurement on the target
// machine (bench/): oneDNN for convolutions, matrix products, pooling and
// the transcendental activations (its jit kernels vectorise exp/tanh/
// sigmoid, which the reference loops do not); leanrt's own loops for data
// movement and elementwise arithmetic, as fast and without a primitive's
// JIT code to hold.
// A factory that declines (null KernelPtr) or reports kUnsupported (a form
// the backend cannot take) leaves the node to its reference kernel; any other
// error is a real one and is returned.
#include <omp.h>

#include <algorithm>

#include "leanrt/ir/op_table.h"
#include "leanrt/kernels/fast/fast.h"
#include "leanrt/kernels/onednn/onednn.h"

namespace leanrt::kernels {
namespace {

using FastFactory = Expected<KernelPtr> (*)(const KernelContext&, const KernelOptions&);

// The first of two factories that takes the node.
template <FastFactory first, FastFactory second>
Expected<KernelPtr> first_taker(const KernelContext& context, const KernelOptions& options) {
  auto kernel = first(context, options);
  if (!kernel || *kernel) return kernel;
  return second(context, options);
}

FastFactory fast_factory(ir::OpFamily family) {
  switch (family) {
    case ir::OpFamily::conv2d:
      return &first_taker<&fast::make_pointwise_conv, &first_taker<&fast::make_direct_conv, &onednn::make_conv2d>>;
    case ir::OpFamily::conv2d_transpose: return &onednn::make_conv2d_transpose;
    case ir::OpFamily::matmul: return &first_taker<&fast::make_dense_matmul, &onednn::make_matmul>;
    case ir::OpFamily::pool2d: return &onednn::make_pool2d;
    // Elementwise: the JIT-free loops first (no primitive's code to hold),
    // oneDNN for the transcendental activations they leave.
    case ir::OpFamily::unary: return &first_taker<&fast::make_unary, &onednn::make_unary>;
    case ir::OpFamily::binary: return &fast::make_binary;
    case ir::OpFamily::bias_add: return &fast::make_binary;
    case ir::OpFamily::batch_norm: return &onednn::make_batch_norm;
    case ir::OpFamily::reduce: return &onednn::make_reduce;
    case ir::OpFamily::transpose: return &fast::make_transpose;
    case ir::OpFamily::depth_to_space: return &fast::make_depth_to_space;
    case ir::OpFamily::pad: return &fast::make_pad;
    case ir::OpFamily::concat: return &fast::make_concat;
    case ir::OpFamily::resize: return &fast::make_resize;
    default: return nullptr;
  }
}

}  // namespace

namespace {
thread_local int thread_ceiling = 0;
}  // namespace

void apply_threads(int threads) {
  if (thread_ceiling > 0) threads = std::min(threads > 0 ? threads : omp_get_num_procs(), thread_ceiling);
  if (threads > 0 && omp_get_max_threads() != threads) omp_set_num_threads(threads);
}

ThreadCeiling::ThreadCeiling(int threads) : previous_ceiling_(thread_ceiling), previous_threads_(omp_get_max_threads()) {
  if (threads <= 0) return;
  thread_ceiling = threads;
  if (previous_threads_ > threads) omp_set_num_threads(threads);
  if (threads == 1) {
    previous_active_levels_ = omp_get_max_active_levels();
    omp_set_max_active_levels(0);
  }
}

ThreadCeiling::~ThreadCeiling() {
  thread_ceiling = previous_ceiling_;
  if (omp_get_max_threads() != previous_threads_) omp_set_num_threads(previous_threads_);
  if (previous_active_levels_ >= 0) omp_set_max_active_levels(previous_active_levels_);
}

int ThreadCeiling::current() { return thread_ceiling; }

Expected<KernelPtr> make_fast_kernel(const KernelContext& context, const KernelOptions& options) {
  const ir::OpInfo* op = ir::find_op(context.node().op);
  if (op == nullptr) return KernelPtr();
  const FastFactory factory = fast_factory(op->family);
  if (factory == nullptr) return KernelPtr();
  apply_threads(options.threads);
  auto kernel = factory(context, options);
  if (!kernel && kernel.status().code() == ErrorCode::kUnsupported) return KernelPtr();
  return kernel;
}

}  // namespace leanrt::kernels
