// A transposed convolution whose windows do not overlap (kernel = stride,
// no padding: Keras' Conv2DTranspose(k, strides=k), the upsampling heads
// of selfie, meet and handdetect) writes each input pixel's own k x k block:
//
//   out[n, y*k + i, x*k + j, c] = sum_m in[n, y, x, m] * W[i, j, c, m]
//
// That is a 1x1 convolution to k*k*C channels, W'[m, (i*k + j)*C + c] =
// W[i, j, c, m], then DepthToSpace(k), whose layout is exactly that
// channel order. The 1x1 convolution runs as a brgemm GEMM; oneDNN's
// deconvolution ran these 3-4x slower (handdetect's 256-channel ones: 250
// and 400 us at batch 1; meet's 2-channel one 95 us).
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/fusion_util.h"

namespace leanrt::passes {
namespace {

// The block size k when `node` is such a transposed convolution, else 0.
int64_t block_size(const ir::Graph& graph, const ir::Node& node) {
  if (node.op != "Conv2DBackpropInput" || node.inputs.size() != 3) return 0;
  const ir::Value& filter = graph.values[node.inputs[1]];
  const ir::Value& x = graph.values[node.inputs[2]];
  const ir::Value& out = graph.values[node.outputs[0]];
  if (!filter.is_constant() || filter.dtype != DType::kF32 || x.dtype != DType::kF32) return 0;
  if (filter.shape.size() != 4 || x.shape.size() != 4 || out.shape.size() != 4) return 0;
  if (node.attrs.get_or<std::string>("data_format", "NHWC") != "NHWC") return 0;
  const std::string padding = node.attrs.get_or<std::string>("padding", "");
  if (padding != "SAME" && padding != "VALID") return 0;
  const auto strides = node.attrs.get_or<std::vector<int64_t>>("strides", {1, 1, 1, 1});
  const auto dilations = node.attrs.get_or<std::vector<int64_t>>("dilations", {1, 1, 1, 1});
  if (strides.size() != 4 || dilations != std::vector<int64_t>{1, 1, 1, 1}) return 0;
  const int64_t k = filter.shape[0];
  if (k < 2 || filter.shape[1] != k || strides[1] != k || strides[2] != k) return 0;
  // Output exactly k times the input: no padding, nothing cropped.
  if (out.shape[0] != x.shape[0] || out.shape[1] != x.shape[1] * k || out.shape[2] != x.shape[2] * k) return 0;
  if (out.shape[3] != filter.shape[2] || x.shape[3] != filter.shape[3]) return 0;
  return k;
}

// W [k, k, C, M] as a 1x1 filter [1, 1, M, k*k*C] in DepthToSpace's order.
std::vector<float> pointwise_filter(const float* filter, int64_t k, int64_t channels, int64_t inputs) {
  const int64_t outputs = k * k * channels;
  std::vector<float> pointwise(static_cast<size_t>(inputs * outputs));
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j)
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t m = 0; m < inputs; ++m)
          pointwise[m * outputs + (i * k + j) * channels + c] = filter[((i * k + j) * channels + c) * inputs + m];
  return pointwise;
}

}  // namespace

int deconv_as_depth_to_space(ir::Graph& graph) {
  int rewritten = 0;
  const auto node_count = static_cast<ir::NodeId>(graph.nodes.size());
  for (ir::NodeId n = 0; n < node_count; ++n) {
    const int64_t k = block_size(graph, graph.nodes[n]);
    if (k == 0) continue;
    const ir::Node deconv = graph.nodes[n];
    // Read before adding values: adding may move graph.values.
    const Shape& filter_shape = graph.values[deconv.inputs[1]].shape;
    const Shape& x_shape = graph.values[deconv.inputs[2]].shape;
    const int64_t channels = filter_shape[2], inputs = filter_shape[3];
    const Shape conv_shape = {x_shape[0], x_shape[1], x_shape[2], k * k * channels};
    std::vector<float> pointwise =
        pointwise_filter(graph.values[deconv.inputs[1]].constant->as<float>(), k, channels, inputs);
    const ir::ValueId weights = fusion::add_float_constant(graph, deconv.name + "/pointwise_filter",
                                                           {1, 1, inputs, k * k * channels}, pointwise);
    ir::AttrMap conv_attrs;
    conv_attrs.set("strides", std::vector<int64_t>{1, 1, 1, 1});
    conv_attrs.set("dilations", std::vector<int64_t>{1, 1, 1, 1});
    conv_attrs.set("padding", std::string("VALID"));
    conv_attrs.set("data_format", std::string("NHWC"));
    const ir::NodeId conv = graph.add_node(deconv.name + "/pointwise", "Conv2D", {deconv.inputs[2], weights}, 1, conv_attrs);
    const ir::ValueId blocks = graph.nodes[conv].outputs[0];
    graph.values[blocks].dtype = DType::kF32;
    graph.values[blocks].shape = conv_shape;
    ir::Node& to_space = graph.nodes[n];  // add_node may have moved the nodes
    to_space.op = "DepthToSpace";
    to_space.inputs = {blocks};
    to_space.attrs = ir::AttrMap();
    to_space.attrs.set("block_size", k);
    to_space.attrs.set("data_format", std::string("NHWC"));
    ++rewritten;
  }
  return rewritten;
}

}  // namespace leanrt::passes
