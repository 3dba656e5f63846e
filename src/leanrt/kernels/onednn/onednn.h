// Factories of the oneDNN kernels, one per op family. Each returns a null
// KernelPtr when the node is outside what it handles (dtype, non-constant
// weights, an unsupported fused op), so the caller keeps the reference.
// Kernel names: <op>_f32_onednn.
#pragma once

#include "leanrt/kernels/kernel.h"

namespace leanrt::kernels::onednn {

// Conv2D (incl. grouped), DepthwiseConv2dNative, _FusedConv2D,
// FusedDepthwiseConv2dNative: weights packed once, fused tail as bias and
// post-ops, batch norm folded into the weights.
Expected<KernelPtr> make_conv2d(const KernelContext& context, const KernelOptions& options);

// Conv2DBackpropInput (transposed convolution) with a constant filter.
Expected<KernelPtr> make_conv2d_transpose(const KernelContext& context, const KernelOptions& options);

// MatMul, _FusedMatMul, BatchMatMul V1-V3 (transposes, broadcast batch).
Expected<KernelPtr> make_matmul(const KernelContext& context, const KernelOptions& options);

// MaxPool and AvgPool (TF's AvgPool divides by the in-bounds count).
Expected<KernelPtr> make_pool2d(const KernelContext& context, const KernelOptions& options);

// Float32 transcendental unary ops (Elu, Sigmoid, Tanh, Exp, Sqrt), whose
// exp oneDNN's eltwise JIT vectorises. The piecewise-linear ones and the
// binary arithmetic are kernels/fast/elementwise.cc's: as fast, and without
// a JIT primitive each.
Expected<KernelPtr> make_unary(const KernelContext& context, const KernelOptions& options);

// FusedBatchNorm V1-V3, inference form, constant statistics (the ones no
// conv absorbed).
Expected<KernelPtr> make_batch_norm(const KernelContext& context, const KernelOptions& options);

// Float32 Sum, Mean, Max, Min, Prod over constant axes, where oneDNN has a
// jit implementation for the layout (else the reference).
Expected<KernelPtr> make_reduce(const KernelContext& context, const KernelOptions& options);

}  // namespace leanrt::kernels::onednn
