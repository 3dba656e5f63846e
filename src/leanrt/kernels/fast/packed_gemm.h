// leanrt's own float32 GEMM with a fused tail, for products whose second
// operand is a constant (packed_gemm.cc), and its convolution form
// (direct_conv.cc):
//
//   out[M, N] = act(A[M, K] x W[K, N] + bias (+ residual)), fused_ops as
//   onednn::FusedTail parses them (BiasAdd / FusedBatchNorm, a residual Add
//   before or after the activation, then Relu, Relu6, LeakyRelu, Prelu,
//   HardSwish, Sigmoid, Tanh or Elu).
//
// Three ops use it, each with its own factory file: pointwise convolutions
// (pointwise_conv.cc: M = batch * H * W pixels), dense layers
// (dense_matmul.cc: M = batch rows) and other dense convolutions
// (direct_conv.cc: M = output pixels, K = the window). Every output element
// is the bias plus its products summed over k = 0..K-1 in order, one fused
// multiply-add at a time, in every tile shape: a row's result does not
// depend on how many rows run with it, so a streamed run matches one sample
// at a time bit for bit.
#pragma once

#include <string>

#include "leanrt/kernels/fast/packed_tiles.h"
#include "leanrt/kernels/kernel.h"

namespace leanrt::kernels::fast {

using packed::GemmWeights;

// AVX-512 F and VL, which the tiles are written for.
inline bool packed_gemm_supported() { return packed::tiles_supported(); }

// A kernel named `name` computing the node as the GEMM above over `rows`
// rows of input 0 (row-major, K values each) into output 0 (N each), or a
// null KernelPtr when its fused tail is one the GEMM does not take (an
// activation other than those above, a residual that is also input 0).
// `threads` as onednn::primitive_threads gives them (0: all).
Expected<KernelPtr> make_packed_gemm(const KernelContext& context, std::string name, int64_t rows,
                                     const GemmWeights& weights, int threads);

}  // namespace leanrt::kernels::fast
