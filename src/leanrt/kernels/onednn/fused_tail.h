// The fused tail of a conv or matmul node as oneDNN sees it: TF's
// `fused_ops` (BiasAdd, FusedBatchNorm, a residual Add made by
// passes/fuse_residual_add, then one activation) turned into a bias, a
// per-output-channel fold of the batch norm into the weights, and post-ops.
//
// Residual form (leanrt's, after TF's MKL remapper): fused_ops
// [BiasAdd, Add, <activation>?] with args [bias, residual], the residual
// shaped like the output: out = act(conv + bias + residual).
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <functional>
#include <vector>

#include "leanrt/kernels/kernel.h"
#include "leanrt/kernels/onednn/onednn_kernel.h"
#include "leanrt/kernels/ref/epilogue.h"

namespace leanrt::kernels::onednn {

struct FusedTail {
  int bias_input = -1;
  int batch_norm_input = -1;  // scale, offset, mean, variance follow
  int residual_input = -1;
  // fused_ops [..., <activation>, Add]: the residual is added to the
  // activation's output (a skip connection between two activated tensors),
  // not before it as in [BiasAdd, Add, <activation>].
  bool residual_after_activation = false;
  int prelu_input = -1;
  float epsilon = 0.0f;
  float activation_alpha = 0.2f;  // ref::activation_alpha(): LeakyRelu's slope, HardSwish's scale
  ref::Activation activation = ref::Activation::kNone;
  // False: the activation is left out of post_ops() and applied by
  // activation_pass() after the primitive (oneDNN 2.6 falls back to its slow
  // reference convolution for some post-op chains, e.g. binary add + prelu).
  bool activation_as_post_op = true;
  // True: the residual is oneDNN's sum post-op (accumulate into dst), so dst
  // must hold the residual before execute (OnednnKernelBuilder::
  // set_accumulate_input); false: a binary add reading the residual. oneDNN
  // 2.6's brgemm 1x1 convolution takes sum but not binary add, which gets
  // jit_1x1: nanodet's residual 1x1 conv at [32, 52, 52, 128] takes 18.0 ms
  // with binary add against 16.7 ms with sum (2 threads, output in place).
  bool residual_as_sum = false;

  // Reads fused_ops; `first_arg` is the first extra input (2 for conv and
  // matmul). Returns unsupported for forms oneDNN cannot take (non-constant
  // vectors, unknown ops), so the caller falls back to the reference.
  static Expected<FusedTail> parse(const KernelContext& context, int first_arg, int64_t channels);

  // Per-output-channel multiplier and bias after folding BiasAdd and
  // FusedBatchNorm (TF inference: (x - mean) * rsqrt(var + eps) * scale +
  // offset); empty scale when there is no batch norm, empty bias when there
  // is neither.
  void fold(const KernelContext& context, int64_t channels, std::vector<float>& scale, std::vector<float>& bias) const;

  // Marks the bias and batch-norm inputs as packed: fold() copied them.
  void mark_folded_inputs(OnednnKernelBuilder& builder) const;

  // The activation and residual as oneDNN post-ops; `channel_axis` is the
  // output's channel dim in oneDNN's logical order (1 for NCHW, last for
  // matmul) and `dst_desc` the output, for the residual operand.
  Expected<dnnl::post_ops> post_ops(const KernelContext& context, int channel_axis, const dnnl::memory::desc& dst_desc) const;

  // The activation as a pass over the output [rows, channels], run after
  // execute when activation_as_post_op is false; empty otherwise.
  std::function<void(const KernelIO&)> activation_pass(const KernelContext& context, int64_t channels) const;

  // Binds the post-ops' extra operands (Prelu alpha, residual) to the kernel
  // (with residual_as_sum: the residual as the accumulate input).
  void bind_post_op_args(const KernelContext& context, OnednnKernelBuilder& builder, int channel_axis,
                         const dnnl::memory::desc& dst_desc) const;
};

}  // namespace leanrt::kernels::onednn
