// oneDNN binary for BiasAdd: a broadcast Add of a vector along the last
// axis (NHWC only; NCHW BiasAdd stays with the reference).
#include "leanrt/kernels/onednn/broadcast_binary.h"
#include "leanrt/kernels/onednn/onednn.h"

namespace leanrt::kernels::onednn {

Expected<KernelPtr> make_bias_add(const KernelContext& context, const KernelOptions& options) {
  if (context.attrs().get_or<std::string>("data_format", "NHWC") != "NHWC") return KernelPtr();
  if (context.input(1).shape.size() != 1) return KernelPtr();
  return make_broadcast_binary(context, options);
}

}  // namespace leanrt::kernels::onednn
