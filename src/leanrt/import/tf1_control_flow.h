// TF1 control flow, made structured at import.
//
// A tf.compat.v1 while loop is a cyclic dataflow frame: Enter -> Merge ->
// Switch -> (body) -> NextIteration -> Merge, with LoopCond deciding and
// Exit leaving. leanrt replaces each frame by one `While` node (TF2's
// functional form): inputs = loop variables (then the loop invariants, as
// extra loop variables passed through unchanged), subgraphs = {cond, body}.
// TensorArray ops lose their resource handle input and read their array
// from the flow input, which carries a TensorList value.
#pragma once

#include "leanrt/base/status.h"
#include "leanrt/ir/graph.h"

namespace leanrt::importer {

// TensorArray{Read,Write,Scatter,Gather,Size,Concat,Split,Close}V3: drops
// input 0 (the handle), so the array travels through the flow values.
void rewrite_tensor_arrays(ir::Graph& graph);

// Replaces every while-loop frame by a While node. Nodes stay in the
// caller's order; the graph must be sorted afterwards.
Status structure_tf1_loops(ir::Graph& graph);

}  // namespace leanrt::importer
