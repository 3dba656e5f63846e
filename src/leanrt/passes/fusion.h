// Fusion passes: fold what follows a convolution or matrix product into it,
// so the fast kernels compute it as bias, folded weights and post-ops in one
// pass over the output. Each pass is its own file and test; compile runs
// them only for the fast kernels (KernelChoice::kAuto), so
// `--kernels reference` keeps the graph as imported.
//
//   fold_batch_norm(graph);                                      // before infer_and_fold
//   LEANRT_RETURN_IF_ERROR(infer_and_fold(graph, evaluate, {}));
//   fuse_for_fast_kernels(graph);                                // the rest, in order
//
// The fused IR is TF's: _FusedConv2D / FusedDepthwiseConv2dNative /
// _FusedMatMul with `fused_ops` and extra inputs, plus two leanrt forms: a
// residual Add, fused_ops [BiasAdd, Add, <activation>?] with inputs
// [x, filter, bias, residual] (TF's MKL remapper uses the same list), and
// the activation HardSwish, (x * hardswish_scale) * relu6(x + 3).
#pragma once

#include "leanrt/base/status.h"
#include "leanrt/ir/graph.h"

namespace leanrt::passes {

// FusedBatchNorm / FusedBatchNormV3 (is_training false, NHWC) reading a
// convolution with constant weights: folded into the weights and a bias.
// Needs only the constants, so it runs before shape inference (saving the
// batch norm's inference and folding) and again in the folding rounds after
// it, once a BiasAdd between conv and batch norm has fused into the conv.
int fold_batch_norm(ir::Graph& graph);

// Mul of a conv output by a per-channel constant (what folding leaves of an
// unfused Rsqrt/Mul/Sub batch-norm chain): folded into the weights and bias.
int fold_channel_scale(ir::Graph& graph);

// BiasAdd, or Add/AddV2/Sub of a per-channel constant, after a conv or 2-D
// MatMul: becomes (or adds to) the fused BiasAdd.
int fuse_bias_add(ir::Graph& graph);

// A Reshape keeping the last dim, between a MatMul and its bias or
// activation (Keras' Dense on 4-D input): the bias and activation move
// before it, next to the MatMul, so they fuse.
int sink_reshapes(ir::Graph& graph);

// AddV2(c, AddN(conv, skip)), c a per-channel constant (Grappler's
// AddOpsRewrite of a residual block without a conv bias): reordered to
// AddV2(AddV2(conv, c), skip), which the bias and residual passes fuse.
int reorder_bias_before_residual(ir::Graph& graph);

// Add/AddV2 of a conv output (with bias and no activation, or with its
// activation) and another tensor of the same shape: becomes the conv's
// residual input, before the activation or after it.
int fuse_residual_add(ir::Graph& graph);

// Relu(x) + (x - Abs(x)) * c, and x + (x - Abs(x)) * c, with c a
// per-channel constant: PReLU as old Keras / TF.js exports spell it,
// rewritten to one Prelu node (alpha 2c, resp. 1 + 2c).
int fuse_decomposed_prelu(ir::Graph& graph);

// Hard swish spelled out after a conv or MatMul without an activation,
// x * relu6(x + 3) / 6 in any of the three orders converters write it:
// becomes its fused HardSwish activation (a leanrt fused op).
int fuse_hard_swish(ir::Graph& graph);

// Relu, Relu6, LeakyRelu, Elu, Sigmoid, Tanh or Prelu (constant per-channel
// alpha) after a conv or MatMul without an activation: becomes its fused
// activation.
int fuse_activation(ir::Graph& graph);

// Transposes moved up through layout-agnostic ops (elementwise, Pad,
// ConcatV2) until they meet and cancel the Transpose they undo; consecutive
// Transposes merged. Removes the NCHW<->NHWC pairs of converted graphs.
Status cancel_transposes(ir::Graph& graph);

// A zero Pad (or PadV2 filling 0) read only by a conv, or a PadV2 filling
// -inf read only by a MaxPool, becomes the consumer's explicit padding.
int fold_pad_into_window(ir::Graph& graph);

// Conv2DBackpropInput with kernel = stride k and no padding (windows that do
// not overlap): becomes a 1x1 Conv2D to k*k*C channels and DepthToSpace(k).
int deconv_as_depth_to_space(ir::Graph& graph);

// Runs the post-inference passes above in order (scale and bias to a fixed
// point, then residual, then activation) and keeps the nodes sorted.
Status fuse_for_fast_kernels(ir::Graph& graph);

}  // namespace leanrt::passes
