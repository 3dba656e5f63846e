// Keras' ZeroPadding2D before a strided conv, and ONNX pads converted to an
// explicit Pad, write a padded copy of the activation only for the next conv
// to read it: a full extra pass over memory and a buffer as large as the
// input (blazepose-detector: 14% of the run time). A conv pads with zeros
// itself, and a max pool never picks a -inf (or lowest) border, so the Pad
// becomes the consumer's explicit padding and disappears.
#include <array>
#include <limits>
#include <optional>

#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"
#include "leanrt/passes/passes.h"

namespace leanrt::passes {
namespace {

// The value a Pad fills with: 0 for Pad, the scalar constant of PadV2;
// nullopt when it is not a known float32 value.
std::optional<float> fill_value(const ir::Graph& graph, const ir::Node& pad) {
  if (pad.op == "Pad") return 0.0f;
  if (pad.op != "PadV2" || pad.inputs.size() != 3) return std::nullopt;
  const ir::Value& value = graph.values[pad.inputs[2]];
  if (!value.is_constant() || value.dtype != DType::kF32 || num_elements(value.shape) != 1) return std::nullopt;
  return value.constant->as<float>()[0];
}

bool fill_suits(const ir::Node& consumer, float fill) {
  if (fusion::is_conv(consumer)) return fill == 0.0f;
  if (consumer.op == "MaxPool") return fill == -std::numeric_limits<float>::infinity() || fill == std::numeric_limits<float>::lowest();
  return false;
}

// The [top, bottom, left, right] padding of an NHWC Pad that pads only
// height and width, by non-negative amounts.
std::optional<std::array<int64_t, 4>> spatial_padding(const ir::Graph& graph, const ir::Node& pad) {
  auto paddings = ir::InferContext(graph, pad).const_ints(1);
  if (!paddings || paddings->size() != 8) return std::nullopt;
  const std::vector<int64_t>& p = *paddings;
  if (p[0] != 0 || p[1] != 0 || p[6] != 0 || p[7] != 0) return std::nullopt;
  for (int64_t amount : p)
    if (amount < 0) return std::nullopt;
  return std::array<int64_t, 4>{p[2], p[3], p[4], p[5]};
}

// The window size the consumer slides over its input.
std::optional<std::pair<int64_t, int64_t>> window_size(const ir::Graph& graph, const ir::Node& consumer) {
  if (fusion::is_conv(consumer)) {
    const Shape& filter = graph.values[consumer.inputs[1]].shape;
    if (filter.size() != 4) return std::nullopt;
    return std::make_pair(filter[0], filter[1]);
  }
  auto ksize = consumer.attrs.get_or<std::vector<int64_t>>("ksize", {});
  if (ksize.size() != 4 || ksize[0] != 1 || ksize[3] != 1) return std::nullopt;
  return std::make_pair(ksize[1], ksize[2]);
}

// Rewrites `consumer` to read the Pad's input with the Pad added to its own
// padding (SAME and EXPLICIT resolved on the padded size, as the consumer
// saw it).
bool absorb_padding(ir::Graph& graph, ir::NodeId consumer_id, const ir::Node& pad) {
  ir::Node& consumer = graph.nodes[consumer_id];
  if (consumer.attrs.get_or<std::string>("data_format", "NHWC") != "NHWC") return false;
  const auto padding = spatial_padding(graph, pad);
  const auto window = window_size(graph, consumer);
  if (!padding || !window) return false;
  auto resolved = ir::window_2d(consumer.attrs, graph.values[pad.outputs[0]].shape, window->first, window->second);
  if (!resolved) return false;
  const ir::Window2D& w = *resolved;
  const std::vector<int64_t> explicit_paddings = {0, 0,
                                                  (*padding)[0] + w.height.pad_before,
                                                  (*padding)[1] + w.height.pad_after,
                                                  (*padding)[2] + w.width.pad_before,
                                                  (*padding)[3] + w.width.pad_after,
                                                  0, 0};
  // A window must still see one real row and column, or a max pool would
  // have nothing to pick where TF picked the fill.
  const bool window_can_miss_input = explicit_paddings[2] >= w.height.window ||
                                     explicit_paddings[3] >= w.height.window ||
                                     explicit_paddings[4] >= w.width.window || explicit_paddings[5] >= w.width.window;
  if (consumer.op == "MaxPool" && window_can_miss_input) return false;
  consumer.attrs.set("padding", std::string("EXPLICIT"));
  consumer.attrs.set("explicit_paddings", explicit_paddings);
  consumer.inputs[0] = pad.inputs[0];
  return true;
}

}  // namespace

int fold_pad_into_window(ir::Graph& graph) {
  int folded = 0;
  for (ir::NodeId n = 0; n < static_cast<ir::NodeId>(graph.nodes.size()); ++n) {
    const ir::Node& pad = graph.nodes[n];
    if ((pad.op != "Pad" && pad.op != "PadV2") || pad.outputs.size() != 1) continue;
    const ir::Value& padded = graph.values[pad.outputs[0]];
    if (padded.dtype != DType::kF32 || padded.dynamic_shape || padded.shape.size() != 4) continue;
    const ir::NodeId consumer = fusion::sole_consumer(graph, pad.outputs[0]);
    if (consumer == ir::kNone || graph.nodes[consumer].inputs[0] != pad.outputs[0]) continue;
    const std::optional<float> fill = fill_value(graph, pad);
    if (!fill || !fill_suits(graph.nodes[consumer], *fill)) continue;
    if (absorb_padding(graph, consumer, pad)) ++folded;
  }
  // The Pads folded away are read by nobody now.
  if (folded > 0) prune_to_outputs(graph);
  return folded;
}

}  // namespace leanrt::passes
