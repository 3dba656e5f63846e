// leanrt's own fast float32 kernels (no oneDNN): the data-movement families
// (Transpose, DepthToSpace/SpaceToDepth, Pad/PadV2 in constant mode,
// ConcatV2, ResizeBilinear and ResizeNearestNeighbor) and elementwise
// arithmetic. Each factory returns a
// null KernelPtr for a node it does not take (another dtype, MirrorPad),
// which then keeps its reference kernel. Every fast kernel computes exactly
// what its reference does, bit for bit: the same elements moved, the same
// float expression per element; they differ in loop order, blocking and
// OpenMP threads over the outer rows.
// Kernel names: <op>_f32_fast, e.g. transpose_f32_fast.
//
//   case ir::OpFamily::transpose: return &fast::make_transpose;  // fast_kernels.cc
#pragma once

#include "leanrt/kernels/kernel.h"

namespace leanrt::kernels::fast {

// Transpose: size-1 axes dropped and adjacent axes merged at compile time;
// an 8x8-blocked transpose of the two axes that swap innermost (e.g. NCHW <->
// NHWC), or a row copy when the innermost axis stays innermost.
Expected<KernelPtr> make_transpose(const KernelContext& context, const KernelOptions& options);

// DepthToSpace and SpaceToDepth (NHWC): the transpose above of a 5-D view.
Expected<KernelPtr> make_depth_to_space(const KernelContext& context, const KernelOptions& options);

// Pad and PadV2: each output row written once (borders filled, interior
// copied). MirrorPad stays on the reference.
Expected<KernelPtr> make_pad(const KernelContext& context, const KernelOptions& options);

// ConcatV2: one memcpy per input slab of each outer row.
Expected<KernelPtr> make_concat(const KernelContext& context, const KernelOptions& options);

// ResizeBilinear (float32 input) and ResizeNearestNeighbor (float32): source
// rows, columns and weights computed at compile time.
Expected<KernelPtr> make_resize(const KernelContext& context, const KernelOptions& options);

// Elementwise float32 loops (elementwise.cc), tried before oneDNN's binary
// and eltwise primitives: binary arithmetic with TF broadcasting (and NHWC
// BiasAdd), and Relu, Relu6, LeakyRelu, Abs, Neg, Square. Bit-identical to
// the reference.
Expected<KernelPtr> make_binary(const KernelContext& context, const KernelOptions& options);
Expected<KernelPtr> make_unary(const KernelContext& context, const KernelOptions& options);

// Pointwise (1x1, stride 1) NHWC convolutions and dense layers with their
// fused tail, as leanrt's AVX-512 GEMM (packed_gemm.h; pointwise_conv.cc,
// dense_matmul.cc), tried before oneDNN. The fast kernels here that are not
// bit-exact: like oneDNN they sum in their own order (within the
// fast-vs-reference tolerance), but in the same order at every batch size.
Expected<KernelPtr> make_pointwise_conv(const KernelContext& context, const KernelOptions& options);
// Every other dense (one group) NHWC convolution: 3x3, 5x5, strided,
// dilated, padded, through the same tiles (direct_conv.cc).
Expected<KernelPtr> make_direct_conv(const KernelContext& context, const KernelOptions& options);
Expected<KernelPtr> make_dense_matmul(const KernelContext& context, const KernelOptions& options);

}  // namespace leanrt::kernels::fast
