// The fast-path dispatcher: which backend (if any) computes a node faster
// than its reference kernel. No fast backend is built in yet, so every node
// keeps its reference kernel.
#include "leanrt/kernels/kernel.h"

namespace leanrt::kernels {

Expected<KernelPtr> make_fast_kernel(const KernelContext& context, const KernelOptions& options) {
  (void)context;
  (void)options;
  return KernelPtr();
}

}  // namespace leanrt::kernels
