// The oneDNN binary primitive for an elementwise node with TF broadcasting:
// the operand shaped like the output is oneDNN's src0, the other broadcasts.
// Shared by the binary and bias_add families.
#pragma once

#include "leanrt/kernels/kernel.h"

namespace leanrt::kernels::onednn {

// Null KernelPtr when the op, dtypes or shapes are outside what it takes.
Expected<KernelPtr> make_broadcast_binary(const KernelContext& context, const KernelOptions& options);

}  // namespace leanrt::kernels::onednn
