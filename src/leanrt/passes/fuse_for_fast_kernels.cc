// The post-inference fusion passes in the order their results build on:
// Transposes cancelled and Pads folded into windows first, spelled-out
// PReLUs made one op; then scale, bias and batch-norm folding alternate
// until none changes anything (a chain like conv -> Mul -> Add -> Mul -> Add,
// or conv -> BiasAdd -> FusedBatchNormV3, folds completely); then residual
// Add, then the activation (hard swish, spelled out in four ops, first).
#include "leanrt/passes/fusion.h"

namespace leanrt::passes {

Status fuse_for_fast_kernels(ir::Graph& graph) {
  // Layout first: what a cancelled Transpose separated (a conv and its
  // activation, a Pad and its conv) can then fuse.
  LEANRT_RETURN_IF_ERROR(cancel_transposes(graph));
  fold_pad_into_window(graph);
  deconv_as_depth_to_space(graph);
  // Before bias folding: the spelled-out PReLU reads the conv output four
  // times, which keeps the bias from fusing.
  fuse_decomposed_prelu(graph);
  reorder_bias_before_residual(graph);
  sink_reshapes(graph);
  // Each round removes at least one node, so the graph bounds the rounds.
  for (size_t round = 0; round <= graph.nodes.size(); ++round)
    if (fold_channel_scale(graph) + fuse_bias_add(graph) + fold_batch_norm(graph) == 0) break;
  fuse_residual_add(graph);
  fuse_hard_swish(graph);
  fuse_activation(graph);
  fuse_residual_add(graph);  // an Add of the activated output
  // A residual input may be computed after the conv in the old order.
  return graph.sort_topologically();
}

}  // namespace leanrt::passes
