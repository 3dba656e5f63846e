// leanrt_layer_bench: GFLOP/s of the heaviest convolution layers of the
// given models (and of ResNet-50's layer shapes, as a reference point),
// each compiled alone with the fast kernels at --batch and timed as the
// median of --runs, against the FMA peak measured first on --threads threads.
//
//   leanrt_layer_bench --batch 32 --threads 2 --top 4 MODEL.json@input_1=1,256,256,3 OTHER.json ...
//   leanrt_layer_bench ... --only 1x1         # the same choice of layers, only the 1x1 ones timed
//
// Each model is shaped at its own inputs (many corpus models fix batch 1);
// the layer alone is then compiled with its activations at --batch.
//
// A layer is the fused node the fast path runs (conv + bias + residual add +
// activation); FLOPs count the convolution's multiply-adds only (2 per MAC).
// An input the model computes and reads last at this node (a fused
// residual) is computed in the layer's graph too, by a Relu of a graph input,
// so the planner may place the output over it as it does in the model; only
// the layer's own step is timed.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

#include "fma_peak.h"
#include "leanrt/import/load_model.h"
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/passes.h"
#include "leanrt/runtime/compiled_model.h"

namespace {

using namespace leanrt;

struct Layer {
  std::string source;  // model file or "resnet50"
  std::string node;
  std::string kind;    // "3x3", "1x1", "depthwise", "other"
  Shape input, filter, output;
  double gflop = 0.0;
  ir::Graph graph;     // the layer alone: inputs are graph inputs, weights constants
};

std::string layer_kind(const ir::Node& node, const Shape& filter, const Shape& input) {
  if (node.op.find("Depthwise") != std::string::npos) return "depthwise";
  if (filter[2] != input[3]) return "grouped";
  const bool unit_stride = node.attrs.get_or<std::vector<int64_t>>("strides", {1, 1, 1, 1})[1] == 1;
  if (filter[0] == 3 && filter[1] == 3) return unit_stride ? "3x3" : "3x3/s2";
  if (filter[0] == 1 && filter[1] == 1) return unit_stride ? "1x1" : "1x1/s2";
  return fmt::format("{}x{}", filter[0], filter[1]);
}

// Whether `value` is computed by a node of `model` and read last by `reader`
// (no later node reads it and it is no model output): the planner may then
// give reader's output its bytes.
bool dies_at(const ir::Graph& model, ir::ValueId value, const ir::Node& reader) {
  if (model.values[value].is_constant()) return false;
  if (std::find(model.inputs.begin(), model.inputs.end(), value) != model.inputs.end()) return false;
  if (std::find(model.outputs.begin(), model.outputs.end(), value) != model.outputs.end()) return false;
  for (const ir::Node& node : model.nodes)
    if (&node != &reader && std::find(node.inputs.begin(), node.inputs.end(), value) != node.inputs.end()) return false;
  return true;
}

// The node alone in a graph of its own, its activations at `batch`. Inputs
// after the filter (a fused residual) that die at the node in the model are
// made by a Relu step here (the bench's inputs are >= 0, so Relu keeps them).
ir::Graph single_node_graph(const ir::Graph& model, const ir::Node& node, int64_t batch) {
  ir::Graph graph;
  graph.source = model.source;
  std::vector<ir::ValueId> inputs;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const ir::Value& value = model.values[node.inputs[i]];
    if (value.is_constant()) inputs.push_back(graph.add_constant(value.name, value.dtype, value.shape, *value.constant));
    else {
      Shape shape = value.shape;
      shape[0] = batch;
      inputs.push_back(graph.add_input(fmt::format("in{}", i), value.dtype, shape));
      if (i >= 2 && dies_at(model, node.inputs[i], node)) {
        const ir::NodeId producer = graph.add_node(fmt::format("in{}/relu", i), "Relu", {inputs.back()}, 1, {});
        inputs.back() = graph.nodes[producer].outputs[0];
      }
    }
  }
  const ir::NodeId id = graph.add_node(node.name, node.op, inputs, 1, node.attrs);
  graph.outputs = {graph.nodes[id].outputs[0]};
  graph.output_names = {node.name};
  return graph;
}

Expected<std::vector<Layer>> conv_layers(const std::string& spec, int64_t batch) {
  const std::string path = spec.substr(0, spec.find('@'));
  LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, importer::load_model(path, {}));
  std::map<std::string, Shape> shapes;
  for (size_t at = spec.find('@'); at != std::string::npos;) {
    const size_t next = spec.find('@', at + 1);
    const std::string item = spec.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    const size_t equals = item.find('=');
    Shape shape;
    for (size_t start = equals + 1; start < item.size();) {
      size_t comma = item.find(',', start);
      if (comma == std::string::npos) comma = item.size();
      shape.push_back(std::stoll(item.substr(start, comma - start)));
      start = comma + 1;
    }
    shapes[item.substr(0, equals)] = shape;
    at = next;
  }
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    if (shapes.count(graph.input_names[i])) continue;
    Shape shape = graph.values[graph.inputs[i]].shape;
    for (int64_t& dim : shape) dim = dim < 0 ? 1 : dim;
    shapes[graph.input_names[i]] = shape;
  }
  // The model at its own (batch-1) shapes, as many corpus models fix batch 1;
  // each layer is then timed alone at `batch`. The same passes compile runs for the fast kernels.
  LEANRT_RETURN_IF_ERROR(passes::bind_input_shapes(graph, shapes, 1));
  passes::prune_to_outputs(graph);
  passes::drop_identities(graph);
  passes::fold_batch_norm(graph);
  LEANRT_RETURN_IF_ERROR(passes::infer_and_fold(graph, runtime::evaluate_node, {}));
  passes::prune_to_outputs(graph);
  LEANRT_RETURN_IF_ERROR(passes::fuse_for_fast_kernels(graph));
  std::vector<Layer> layers;
  for (const ir::Node& node : graph.nodes) {
    if (node.op.find("Conv2D") == std::string::npos && node.op.find("DepthwiseConv2d") == std::string::npos) continue;
    if (node.op == "Conv2DBackpropInput" || !graph.values[node.inputs[1]].is_constant()) continue;
    Layer layer;
    layer.source = path.substr(path.find_last_of('/') + 1);
    layer.node = node.name;
    layer.input = graph.values[node.inputs[0]].shape;
    layer.filter = graph.values[node.inputs[1]].shape;
    layer.output = graph.values[node.outputs[0]].shape;
    layer.input[0] = layer.output[0] = batch;
    layer.kind = layer_kind(node, layer.filter, layer.input);
    const double taps = static_cast<double>(layer.filter[0] * layer.filter[1] * layer.filter[2]);
    const double per_output = layer.kind == "depthwise" ? layer.filter[0] * layer.filter[1] : taps;
    layer.gflop = 2.0 * static_cast<double>(num_elements(layer.output)) * per_output * 1e-9;
    layer.graph = single_node_graph(graph, node, batch);
    layers.push_back(std::move(layer));
  }
  return layers;
}

// ResNet-50's convolution shapes (NHWC input, HWIO filter, stride).
std::vector<Layer> resnet50_layers(int64_t batch) {
  struct Spec {
    const char* name;
    int64_t size, in_channels, kernel, out_channels;
  };
  const Spec specs[] = {
      {"res2 3x3", 56, 64, 3, 64},      {"res3 3x3", 28, 128, 3, 128},   {"res4 3x3", 14, 256, 3, 256},
      {"res5 3x3", 7, 512, 3, 512},     {"res2 1x1 expand", 56, 64, 1, 256}, {"res3 1x1 reduce", 28, 512, 1, 128},
      {"res4 1x1 expand", 14, 256, 1, 1024}, {"res5 1x1 reduce", 7, 2048, 1, 512},
  };
  std::vector<Layer> layers;
  std::mt19937 random(3);
  std::uniform_real_distribution<float> uniform(-0.1f, 0.1f);
  for (const Spec& spec : specs) {
    Layer layer;
    layer.source = "resnet50 (shape only)";
    layer.node = spec.name;
    layer.kind = spec.kernel == 3 ? "3x3" : "1x1";
    layer.input = {batch, spec.size, spec.size, spec.in_channels};
    layer.filter = {spec.kernel, spec.kernel, spec.in_channels, spec.out_channels};
    layer.output = {batch, spec.size, spec.size, spec.out_channels};
    layer.gflop = 2.0 * static_cast<double>(num_elements(layer.output)) * spec.kernel * spec.kernel * spec.in_channels * 1e-9;
    std::vector<float> weights(static_cast<size_t>(num_elements(layer.filter)));
    for (float& w : weights) w = uniform(random);
    std::vector<float> bias(static_cast<size_t>(spec.out_channels), 0.01f);
    ir::Graph& graph = layer.graph;
    const ir::ValueId x = graph.add_input("x", DType::kF32, layer.input);
    const ir::ValueId w = graph.add_constant("w", DType::kF32, layer.filter,
                                             ConstBytes::copy_of(weights.data(), weights.size() * sizeof(float)));
    const ir::ValueId b = graph.add_constant("b", DType::kF32, {spec.out_channels},
                                             ConstBytes::copy_of(bias.data(), bias.size() * sizeof(float)));
    ir::AttrMap attrs;
    attrs.set("strides", std::vector<int64_t>{1, 1, 1, 1});
    attrs.set("padding", std::string("SAME"));
    attrs.set("fused_ops", std::vector<std::string>{"BiasAdd", "Relu"});
    attrs.set("num_args", int64_t{1});
    const ir::NodeId id = graph.add_node(spec.name, "_FusedConv2D", {x, w, b}, 1, attrs);
    graph.outputs = {graph.nodes[id].outputs[0]};
    graph.output_names = {spec.name};
    layers.push_back(std::move(layer));
  }
  return layers;
}

struct Timing {
  double median_ms = 0.0;
  std::string kernel;
};

Expected<Timing> time_layer(const Layer& layer, int threads, int runs) {
  runtime::CompileOptions options;
  options.kernels.threads = threads;
  LEANRT_ASSIGN_OR_RETURN(auto model, runtime::CompiledModel::compile(layer.graph, options));
  std::vector<std::vector<float>> inputs;
  std::mt19937 random(1);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (size_t i = 0; i < model->inputs().size(); ++i) {
    inputs.emplace_back(static_cast<size_t>(num_elements(model->inputs()[i].shape)));
    for (float& value : inputs.back()) value = uniform(random);
    model->set_input(static_cast<int>(i), inputs.back().data());
  }
  // The layer's own step: the graph may also compute its residual input.
  const auto& steps = model->steps();
  const auto layer_step = std::find_if(steps.begin(), steps.end(), [&](const auto& step) { return step.node == layer.node; });
  if (layer_step == steps.end()) return internal_error("{}: no step runs node {}", layer.source, layer.node);
  const size_t step = static_cast<size_t>(layer_step - steps.begin());
  std::vector<double> step_seconds(steps.size());
  for (int i = 0; i < 3; ++i) LEANRT_RETURN_IF_ERROR(model->run());
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    LEANRT_RETURN_IF_ERROR(model->run_timed(step_seconds));
    times.push_back(step_seconds[step] * 1e3);
  }
  std::sort(times.begin(), times.end());
  Timing timing;
  timing.median_ms = times[times.size() / 2];
  timing.kernel = layer_step->kernel;
  return timing;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"leanrt_layer_bench: GFLOP/s of the heaviest conv layers against the measured FMA peak"};
  std::vector<std::string> models;
  int64_t batch = 32;
  int threads = 2, runs = 10, top = 3;
  app.add_option("models", models, "MODEL[@INPUT=d0,d1,..]...");
  app.add_option("--batch", batch)->capture_default_str();
  app.add_option("--threads", threads)->capture_default_str();
  app.add_option("--runs", runs)->capture_default_str();
  app.add_option("--top", top, "heaviest layers per kind (3x3, 1x1, depthwise) over all models")->capture_default_str();
  std::string only;
  app.add_option("--only", only, "time only the chosen layers whose kind (1x1, 3x3, ...) or node name contains this");
  CLI11_PARSE(app, argc, argv);

  // The best of several tries after a warm-up (to the cores' sustained
  // clock): one try on a shared machine can lose a thread's time slice and
  // read low (113 instead of 230 GFLOP/s here), which inflates every % peak.
  measure_fma_peak(threads);
  FmaPeak peak = measure_fma_peak(threads);
  for (int i = 0; i < 4; ++i) {
    const FmaPeak again = measure_fma_peak(threads);
    if (again.gflops > peak.gflops) peak = again;
  }
  std::printf("FMA peak (measured, %d threads, %d-bit FMA): %.1f GFLOP/s\n\n", peak.threads, peak.vector_bits,
              peak.gflops);

  std::vector<Layer> corpus;
  for (const std::string& spec : models) {
    auto layers = conv_layers(spec, batch);
    if (!layers) {
      std::fprintf(stderr, "leanrt_layer_bench: skipping %s: %s\n", spec.c_str(), layers.status().message().c_str());
      continue;
    }
    for (Layer& layer : *layers) corpus.push_back(std::move(layer));
  }
  std::sort(corpus.begin(), corpus.end(), [](const Layer& a, const Layer& b) { return a.gflop > b.gflop; });
  std::vector<Layer> chosen;
  std::map<std::string, int> per_kind;
  std::vector<std::string> seen_shapes;
  for (Layer& layer : corpus) {
    const std::string shape_key = shape_string(layer.input) + shape_string(layer.filter) + shape_string(layer.output);
    if (std::find(seen_shapes.begin(), seen_shapes.end(), shape_key) != seen_shapes.end()) continue;
    const std::string kind = layer.kind.substr(0, 3) == "3x3" ? "3x3" : layer.kind.substr(0, 3) == "1x1" ? "1x1" : layer.kind;
    if (per_kind[kind]++ >= top) continue;
    seen_shapes.push_back(shape_key);
    chosen.push_back(std::move(layer));
  }
  for (Layer& layer : resnet50_layers(batch)) chosen.push_back(std::move(layer));

  std::printf("%-28s %-34s %-9s %-22s %-16s %8s %9s %9s %7s  %s\n", "model", "layer", "kind", "input (NHWC)",
              "filter (HWIO)", "GFLOP", "ms", "GFLOP/s", "% peak", "kernel");
  for (const Layer& layer : chosen) {
    if (!only.empty() && (layer.kind + " " + layer.node).find(only) == std::string::npos) continue;
    auto timing = time_layer(layer, threads, runs);
    if (!timing) {
      std::printf("%-28s %-34s failed: %s\n", layer.source.c_str(), layer.node.c_str(), timing.status().message().c_str());
      continue;
    }
    const double gflops = layer.gflop / (timing->median_ms * 1e-3);
    const std::string& node = layer.node;
    const std::string short_node = node.size() > 34 ? "..." + node.substr(node.size() - 31) : node;
    std::printf("%-28s %-34s %-9s %-22s %-16s %8.3f %9.3f %9.1f %6.1f%%  %s\n", layer.source.c_str(),
                short_node.c_str(), layer.kind.c_str(), shape_string(layer.input).c_str(),
                shape_string(layer.filter).c_str(), layer.gflop, timing->median_ms, gflops, 100.0 * gflops / peak.gflops,
                timing->kernel.c_str());
  }
  return 0;
}
