// Helpers the fusion passes share: which nodes are fusable producers, who
// reads a value, and moving a consumer's output onto its producer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "leanrt/ir/graph.h"

namespace leanrt::passes::fusion {

// Add or AddV2 of two inputs.
bool is_add(const ir::Node& node);
// The input of a two-input node other than `value`, or kNone when `value` is
// not one of its inputs.
ir::ValueId other_input(const ir::Node& node, ir::ValueId value);

// Conv2D, _FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2dNative.
bool is_conv(const ir::Node& node);
// MatMul and _FusedMatMul (2-D; BatchMatMul has no fused form in TF).
bool is_matmul(const ir::Node& node);
bool is_depthwise(const ir::Node& node);

std::vector<std::string> fused_ops(const ir::Node& node);
bool has_activation(const ir::Node& node);
bool has_residual(const ir::Node& node);
bool has_batch_norm(const ir::Node& node);
// Input index of the fused bias, or -1.
int bias_input(const ir::Node& node);

// Renames a plain conv / matmul to its fused op and sets fused_ops/num_args.
void set_fused_ops(ir::Node& node, const std::vector<std::string>& ops);

// The one node reading `value`, or kNone when none or several read it or it
// is a graph output.
ir::NodeId sole_consumer(const ir::Graph& graph, ir::ValueId value);

// Makes `producer` compute `consumer`'s (single) output; the consumer and the
// producer's old output are left for Graph::compact.
void absorb(ir::Graph& graph, ir::NodeId producer, ir::NodeId consumer, std::vector<bool>& alive);

// Output channels of a conv or matmul node (last output dim).
int64_t output_channels(const ir::Graph& graph, const ir::Node& node);

// A float32 constant holding one value per channel (shape [C], [1,..,1,C])
// or a single value: the values, broadcast to `channels`. nullopt otherwise.
std::optional<std::vector<float>> channel_vector(const ir::Graph& graph, ir::ValueId value, int64_t channels);

// Adds an owned float32 constant.
ir::ValueId add_float_constant(ir::Graph& graph, const std::string& name, const Shape& shape,
                               const std::vector<float>& values);

// The node's filter (input 1) scaled per output channel, as a new constant
// the node now reads. Refuses (false) when the filter is not a float32
// constant read by this node only.
bool scale_filter(ir::Graph& graph, ir::NodeId node, const std::vector<float>& scale);

// Drops the pages of a file-mapped constant no longer read (the fold read
// them once); owned constants are freed when their last Value goes.
void release_if_mapped(const ConstBytes& bytes);

}  // namespace leanrt::passes::fusion
