#include <fmt/format.h>

#include "leanrt/engine/engine.h"
#include "leanrt/profile/peak_model.h"
#include "leanrt/profile/profiler.h"

namespace leanrt::engine {
namespace {

// The first input with no rank that the caller gave no shape for, or "".
std::string unshaped_inputs(const ir::Graph& graph, const std::map<std::string, Shape>& given) {
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const std::string& name = graph.input_names[i];
    bool shaped = false;
    for (const auto& [given_name, shape] : given) shaped = shaped || ir::same_tensor_name(given_name, name);
    if (graph.values[graph.inputs[i]].unknown_rank && !shaped) return "\"" + name + "\"";
  }
  return "";
}

// Inputs, outputs and weights as the model declares them, for a report
// without a plan.
void describe_imported(const ir::Graph& graph, ModelReport& report) {
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const ir::Value& value = graph.values[graph.inputs[i]];
    report.inputs.push_back({graph.input_names[i], value.dtype, value.shape, value.unknown_rank});
  }
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const ir::Value& value = graph.values[graph.outputs[i]];
    report.outputs.push_back({graph.output_names[i], value.dtype, value.shape, true});
  }
  for (const ir::Value& value : graph.values)
    if (value.is_constant()) {
      report.weights_bytes += value.constant->size_bytes;
      (value.constant->file_mapped ? report.weights_mapped_bytes : report.weights_owned_bytes) += value.constant->size_bytes;
    }
}

}  // namespace

Expected<ModelReport> inspect_model(const std::string& path, const InspectOptions& options) {
  if (options.batch < 1) return invalid_argument("--batch {}: expected a batch size >= 1", options.batch);
  // The predicted peak starts from this process's RSS before the model is loaded.
  const profile::RuntimeBaseline baseline = profile::measure_runtime_baseline();
  LEANRT_ASSIGN_OR_RETURN(importer::ModelFormat format, importer::detect_format(path));
  LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, importer::load_model(path, options.load));
  const profile::ImportFacts import_facts = profile::import_facts(graph, format, path);
  ModelReport report;
  report.model = path;
  report.format = std::string(importer::format_name(format));
  report.batch = options.batch;
  for (const ir::Node& node : graph.nodes) ++report.ops[node.op];
  report.imported_nodes = static_cast<int>(graph.nodes.size());
  LEANRT_ASSIGN_OR_RETURN(report.signatures, importer::list_signatures(path, options.load));
  if (std::string missing = unshaped_inputs(graph, options.input_shapes); !missing.empty()) {
    describe_imported(graph, report);
    report.plan_missing = fmt::format(
        "input {} has no declared shape; pass --input-shape NAME=D0,D1,... to plan memory for it", missing);
    return report;
  }
  runtime::CompileOptions compile;
  compile.default_dim = options.batch;
  compile.input_shapes = options.input_shapes;
  compile.outputs = options.outputs;
  compile.kernels = options.kernels;
  compile.max_loop_iterations = options.max_loop_iterations;
  compile.max_dynamic_bytes = options.max_dynamic_bytes;
  LEANRT_ASSIGN_OR_RETURN(auto compiled, runtime::CompiledModel::compile(std::move(graph), compile));
  report.inputs = compiled->inputs();
  report.outputs = compiled->outputs();
  report.steps = compiled->steps();
  report.weights_bytes = compiled->weights_bytes();
  report.weights_mapped_bytes = compiled->weights_mapped_bytes();
  report.weights_owned_bytes = compiled->weights_owned_bytes();
  report.arena_bytes = compiled->arena_bytes();
  report.arena_bytes_lower_bound = compiled->arena_bytes_lower_bound();
  report.plan_strategy = compiled->memory_plan().strategy;
  report.dynamic_steps = compiled->dynamic_steps();
  report.dynamic_region_limit_bytes = compiled->dynamic_steps() > 0 ? compiled->max_dynamic_bytes() : 0;
  report.peak = profile::predict_peak(*compiled, baseline, import_facts, profile::input_bytes(*compiled),
                                      options.kernels.threads);
  return report;
}

namespace {

// A shape known only at run time is null in JSON (profile::tensors_json) and
// "unknown" in text.
std::string tensors_text(const std::vector<runtime::TensorInfo>& tensors) {
  std::string text;
  for (const auto& tensor : tensors)
    text += fmt::format("  {:<40} {:<22} {}\n", tensor.name, tensor.dynamic_shape ? "unknown" : shape_string(tensor.shape),
                        dtype_name(tensor.dtype));
  return text;
}

std::string mib(size_t bytes) { return fmt::format("{:.2f} MiB", bytes / 1048576.0); }

std::string signature_shape(const importer::SignatureTensor& tensor) {
  return tensor.unknown_rank ? "unknown rank" : shape_string(tensor.shape);
}

nlohmann::json signature_tensors_json(const std::vector<importer::SignatureTensor>& tensors) {
  nlohmann::json by_key = nlohmann::json::object();
  for (const auto& tensor : tensors)
    by_key[tensor.key] = {{"name", tensor.name},
                          {"dtype", std::string(dtype_name(tensor.dtype))},
                          {"shape", tensor.unknown_rank ? nlohmann::json(nullptr) : nlohmann::json(tensor.shape)}};
  return by_key;
}

// {"serving_default": {"method_name": ..., "selected": true, "inputs": {key: {name, dtype, shape}}, "outputs": ...}}
nlohmann::json signatures_json(const std::vector<importer::SignatureInfo>& signatures) {
  nlohmann::json by_name = nlohmann::json::object();
  for (const auto& signature : signatures)
    by_name[signature.name] = {{"method_name", signature.method_name},
                               {"selected", signature.selected},
                               {"inputs", signature_tensors_json(signature.inputs)},
                               {"outputs", signature_tensors_json(signature.outputs)}};
  return by_name;
}

std::string signatures_text(const std::vector<importer::SignatureInfo>& signatures) {
  if (signatures.empty()) return "";
  std::string text = "signatures (* = the one loaded; --signature picks another)\n";
  for (const auto& signature : signatures) {
    text += fmt::format("{} {} ({})\n", signature.selected ? "*" : " ", signature.name, signature.method_name);
    for (const auto& tensor : signature.inputs)
      text += fmt::format("    in   {:<24} {:<36} {:<16} {}\n", tensor.key, tensor.name, signature_shape(tensor),
                          dtype_name(tensor.dtype));
    for (const auto& tensor : signature.outputs)
      text += fmt::format("    out  {:<24} {:<36} {:<16} {}\n", tensor.key, tensor.name, signature_shape(tensor),
                          dtype_name(tensor.dtype));
  }
  return text + "\n";
}

}  // namespace

nlohmann::json report_json(const ModelReport& report) {
  nlohmann::json kernels = nlohmann::json::array();
  for (const auto& step : report.steps)
    kernels.push_back({{"node", step.node}, {"op", step.op}, {"kernel", step.kernel}, {"output_bytes", step.output_bytes},
                       {"scratch_bytes", step.scratch_bytes}});
  const double ratio = report.arena_bytes_lower_bound > 0
                           ? static_cast<double>(report.arena_bytes) / static_cast<double>(report.arena_bytes_lower_bound)
                           : 1.0;
  const bool planned = report.plan_missing.empty();
  return {{"model", report.model},
          {"format", report.format},
          {"batch", report.batch},
          {"inputs", profile::tensors_json(report.inputs)},
          {"outputs", profile::tensors_json(report.outputs)},
          {"ops", report.ops},
          {"nodes", report.imported_nodes},
          {"compiled_nodes", report.steps.size()},
          {"weights_bytes", report.weights_bytes},
          {"weights_mapped_bytes", report.weights_mapped_bytes},
          {"weights_owned_bytes", report.weights_owned_bytes},
          {"arena_bytes", report.arena_bytes},
          {"arena_bytes_lower_bound", report.arena_bytes_lower_bound},
          {"arena_to_lower_bound", ratio},
          {"plan_strategy", report.plan_strategy},
          {"plan_missing", report.plan_missing.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.plan_missing)},
          {"dynamic_steps", report.dynamic_steps},
          {"dynamic_region_limit_bytes", report.dynamic_region_limit_bytes},
          {"predicted_peak_bytes", planned ? nlohmann::json(report.peak.predicted_peak_bytes) : nlohmann::json(nullptr)},
          {"predicted_peak", planned ? profile::peak_json(report.peak) : nlohmann::json(nullptr)},
          {"signatures", signatures_json(report.signatures)},
          {"steps", kernels}};
}

std::string report_text(const ModelReport& report) {
  std::string text = fmt::format("model   {} ({})\nbatch   {}\n\ninputs\n{}\noutputs\n{}\n", report.model, report.format,
                                 report.batch, tensors_text(report.inputs), tensors_text(report.outputs));
  text += signatures_text(report.signatures);
  text += fmt::format("ops ({} nodes imported, {} compiled steps)\n", report.imported_nodes, report.steps.size());
  for (const auto& [op, count] : report.ops) text += fmt::format("  {:<32} {}\n", op, count);
  const double ratio = report.arena_bytes_lower_bound > 0
                           ? static_cast<double>(report.arena_bytes) / static_cast<double>(report.arena_bytes_lower_bound)
                           : 1.0;
  text += fmt::format("\nmemory\n  weights        {:>12} bytes ({}; {} mapped from the model file, {} owned)\n",
                      report.weights_bytes, mib(report.weights_bytes), mib(report.weights_mapped_bytes),
                      mib(report.weights_owned_bytes));
  if (!report.plan_missing.empty()) return text + "  arena          not planned: " + report.plan_missing + "\n";
  text += fmt::format("  arena          {:>12} bytes ({}, {})\n  lower bound    {:>12} bytes (arena / lower bound = {:.3f})\n",
                      report.arena_bytes, mib(report.arena_bytes), report.plan_strategy, report.arena_bytes_lower_bound,
                      ratio);
  if (report.dynamic_steps > 0)
    text += fmt::format("  dynamic        {} steps with data-dependent shapes, held in a region of at most {} "
                        "(--max-dynamic-bytes)\n",
                        report.dynamic_steps, mib(report.dynamic_region_limit_bytes));
  text += "\npredicted peak of a process running this plan (docs/memory.md)\n" + profile::peak_text(report.peak);
  return text;
}

}  // namespace leanrt::engine
