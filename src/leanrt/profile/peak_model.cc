#include "leanrt/profile/peak_model.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "leanrt/base/mapped_file.h"
#include "leanrt/base/process_memory.h"

namespace leanrt::profile {
namespace {

constexpr double kKiB = 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;

// The modelled costs. Each is the resident-memory cost of a mechanism named
// in docs/memory.md. Their sizes come from `leanrt profile` on the 45
// developer-corpus models at batch 1 and 32 (the peak of each phase: the
// profiler resets VmHWM between load, compile and run), fitted phase by
// phase by least squares on the relative error; tests/profile/calibrate_peak_model.py
// re-fits them after an engine change, and docs/memory.md gives the fit's
// in-sample and leave-one-model-out error. Allocator behaviour is the
// least regular term: the per-primitive and retained-fraction sizes absorb
// how much of the heap freed during compile is reused.
struct CostModel {
  // Load phase: the importer's code (any model; TF.js's JSON reader;
  // libprotobuf's parser; a SavedModel's function library and variable
  // reader), the parsed description per byte of its file (a JSON DOM, or a
  // protobuf message less the weights it carries), the imported graph per
  // node, and the weights the importer decodes or copies (per byte: the
  // copy, and the buffers decoding it).
  double load_code_bytes = 1.26 * kMiB;
  double tfjs_code_bytes = 0.23 * kMiB;
  double protobuf_code_bytes = 0.70 * kMiB;
  double saved_model_code_bytes = 0.48 * kMiB;
  double json_parse_bytes_per_byte = 8.327;
  double protobuf_parse_bytes_per_byte = 1.880;
  double imported_node_bytes = 2.3 * kKiB;
  double tfjs_decoded_weight_bytes_per_byte = 1.067;
  double protobuf_weight_bytes_per_byte = 1.376;
  // A SavedModel's or checkpoint's variables, mapped, per byte of the
  // tensors the graph reads: the reader touches the whole data file (Keras
  // files also hold the optimizer's slots), so it comes out above 1.
  double variables_read_bytes_per_byte = 3.617;
  // Compile phase: library pages that stay after compile's first release
  // (relocated data, the pages in use), plus the code making kernels pages
  // in, which base/code_pages.h keeps within a budget.
  double compile_code_bytes = 3.99 * kMiB;
  double compile_onednn_code_bytes = 3.18 * kMiB;
  // Per distinct primitive (oneDNN's primitive cache shares identical
  // ones): its JIT code and primitive descriptor.
  double onednn_primitive_bytes = 36.5 * kKiB;
  // Per OpenMP worker beyond the calling thread: touched stack pages and
  // the first heap of its malloc arena.
  double thread_bytes = 100 * kKiB;
  // Per imported node: names, attributes, shapes, the value table, the
  // views and the kernel objects of the compiled graph.
  double graph_node_bytes = 2.4 * kKiB;
  // Fraction of the imported, owned weights that glibc keeps resident after
  // compile frees them (holes between the packed copies and the graph's
  // small allocations).
  double allocator_retained_fraction = 0.0;
  double run_allocator_retained_fraction = 0.031;
  // Run phase, after compile released the code pages: the code a run pages
  // back (libc, libstdc++, libgomp and leanrt's runtime, with fault-around),
  // the oneDNN execute path when any step runs on oneDNN, and each distinct
  // reference kernel's code.
  double run_code_bytes = 3.56 * kMiB;
  double run_onednn_code_bytes = 1.04 * kMiB;
  double run_reference_kernel_code_bytes = 56.9 * kKiB;
  // Code pages kept (--keep-code-pages) only: libdnnl pages for engine
  // set-up, ISA dispatch and primitive creation, plus each primitive
  // family's code (fitted when compile kept all code).
  double onednn_library_bytes = 3.06 * kMiB;
  double onednn_conv_code_bytes = 0.46 * kMiB;
  double onednn_pool_code_bytes = 0.88 * kMiB;
  double onednn_elementwise_code_bytes = 0.39 * kMiB;
};

constexpr CostModel kCosts;

bool is_onednn(const std::string& kernel) { return kernel.find("_onednn") != std::string::npos; }

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// The primitive families whose library code a model pages in.
struct OnednnUse {
  bool any = false, conv = false, deconv = false, pool = false, elementwise = false;
  int distinct_primitives = 0;
};

// Identical primitives (same kernel, same shapes) are made once: oneDNN's
// primitive cache hands out the same JIT code.
OnednnUse onednn_use(const runtime::CompiledModel& model) {
  OnednnUse use;
  std::set<std::string> primitives;
  const ir::Graph& graph = model.graph();
  for (size_t s = 0; s < model.steps().size(); ++s) {
    const std::string& kernel = model.steps()[s].kernel;
    if (!is_onednn(kernel)) continue;
    use.any = true;
    // Conv2DBackpropInput runs on oneDNN's deconvolution, code of its own.
    if (starts_with(kernel, "conv2d_backprop_input") || starts_with(kernel, "conv2d_transpose")) use.deconv = true;
    else if (starts_with(kernel, "conv2d") || starts_with(kernel, "depthwise_conv2d")) use.conv = true;
    else if (starts_with(kernel, "max_pool") || starts_with(kernel, "avg_pool")) use.pool = true;
    else if (!starts_with(kernel, "mat_mul") && !starts_with(kernel, "batch_mat_mul")) use.elementwise = true;
    std::string key = kernel;
    for (ir::ValueId input : graph.nodes[s].inputs) key += shape_string(graph.values[input].shape);
    for (ir::ValueId output : graph.nodes[s].outputs) {
      key += '>';
      key += shape_string(graph.values[output].shape);
    }
    primitives.insert(key);
  }
  use.distinct_primitives = static_cast<int>(primitives.size());
  return use;
}

int reference_kernel_kinds(const runtime::CompiledModel& model) {
  std::set<std::string> kinds;
  for (const runtime::StepInfo& step : model.steps())
    if (!is_onednn(step.kernel)) kinds.insert(step.kernel);
  return static_cast<int>(kinds.size());
}

int worker_threads(int threads) {
  const int count = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return count - 1;
}

size_t bytes(double value) { return static_cast<size_t>(std::max(0.0, value)); }

CostDrivers cost_drivers(const runtime::CompiledModel& model, const ImportFacts& facts, int threads) {
  CostDrivers drivers;
  drivers.protobuf = facts.protobuf;
  drivers.tfjs = facts.tfjs;
  drivers.saved_model = facts.saved_model;
  drivers.parsed_file_bytes = facts.parsed_file_bytes;
  drivers.reference_kernel_kinds = reference_kernel_kinds(model);
  const OnednnUse onednn = onednn_use(model);
  drivers.onednn = onednn.any;
  drivers.onednn_conv = onednn.conv;
  drivers.onednn_deconv = onednn.deconv;
  drivers.onednn_pool = onednn.pool;
  drivers.onednn_elementwise = onednn.elementwise;
  drivers.onednn_distinct_primitives = onednn.distinct_primitives;
  drivers.worker_threads = worker_threads(threads);
  drivers.imported_nodes = facts.nodes;
  drivers.imported_weights_owned_bytes = facts.weights_owned_bytes;
  drivers.imported_weights_mapped_bytes = facts.weights_mapped_bytes;
  return drivers;
}

// The importer's share of the load phase.
void model_load(const CostDrivers& drivers, RuntimeCosts& costs) {
  costs.load_code_bytes = bytes(kCosts.load_code_bytes + (drivers.tfjs ? kCosts.tfjs_code_bytes : 0.0) +
                                (drivers.protobuf ? kCosts.protobuf_code_bytes : 0.0) +
                                (drivers.saved_model ? kCosts.saved_model_code_bytes : 0.0));
  const double owned = static_cast<double>(drivers.imported_weights_owned_bytes);
  const double parsed = static_cast<double>(drivers.parsed_file_bytes);
  if (drivers.tfjs) {
    costs.parse_bytes = bytes(kCosts.json_parse_bytes_per_byte * parsed);
    costs.imported_weights_bytes = bytes(kCosts.tfjs_decoded_weight_bytes_per_byte * owned);
  } else if (drivers.protobuf) {
    // A GraphDef carries its weights: the message less those is structure.
    costs.parse_bytes = bytes(kCosts.protobuf_parse_bytes_per_byte * std::max(0.0, parsed - owned));
    costs.imported_weights_bytes =
        bytes(kCosts.protobuf_weight_bytes_per_byte * owned +
              kCosts.variables_read_bytes_per_byte * static_cast<double>(drivers.imported_weights_mapped_bytes));
  } else {
    costs.imported_weights_bytes = bytes(owned);
  }
  costs.imported_graph_bytes = bytes(kCosts.imported_node_bytes * drivers.imported_nodes);
}

RuntimeCosts model_runtime(const CostDrivers& drivers, const RuntimeBaseline& baseline, bool code_pages_released) {
  RuntimeCosts costs;
  costs.process_start_bytes = baseline.process_start_bytes;
  costs.process_start_anon_bytes = baseline.process_start_anon_bytes;
  model_load(drivers, costs);
  costs.compile_code_bytes = bytes(kCosts.compile_code_bytes + (drivers.onednn ? kCosts.compile_onednn_code_bytes : 0.0));
  costs.run_code_bytes = bytes(kCosts.run_code_bytes + (drivers.onednn ? kCosts.run_onednn_code_bytes : 0.0) +
                               kCosts.run_reference_kernel_code_bytes * drivers.reference_kernel_kinds);
  costs.onednn_primitive_bytes = bytes(kCosts.onednn_primitive_bytes * drivers.onednn_distinct_primitives);
  costs.thread_bytes = bytes(kCosts.thread_bytes * drivers.worker_threads);
  costs.graph_bytes = bytes(kCosts.graph_node_bytes * drivers.imported_nodes);
  const double owned = static_cast<double>(drivers.imported_weights_owned_bytes);
  costs.allocator_bytes = bytes(kCosts.allocator_retained_fraction * owned);
  costs.run_allocator_bytes = bytes(kCosts.run_allocator_retained_fraction * owned);
  costs.code_pages_kept = !code_pages_released;
  if (drivers.onednn)
    costs.onednn_library_bytes =
        bytes(kCosts.onednn_library_bytes + (drivers.onednn_conv ? kCosts.onednn_conv_code_bytes : 0) +
              (drivers.onednn_pool ? kCosts.onednn_pool_code_bytes : 0) +
              (drivers.onednn_elementwise ? kCosts.onednn_elementwise_code_bytes : 0));
  return costs;
}

}  // namespace

RuntimeBaseline measure_runtime_baseline() {
  const ProcessMemory memory = read_process_memory();
  return {memory.rss_bytes, memory.rss_anon_bytes};
}

namespace {

// The file an importer parses into memory (TFLite is read in place).
size_t parsed_file_bytes(importer::ModelFormat format, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (format == importer::ModelFormat::kTflite) return 0;
  fs::path file(path);
  if (fs::is_directory(file, error)) {
    file /= fs::exists(file / "saved_model.pb", error) ? "saved_model.pb" : "saved_model.pbtxt";
  }
  const auto size = fs::file_size(file, error);
  return error ? 0 : static_cast<size_t>(size);
}

}  // namespace

ImportFacts import_facts(const ir::Graph& graph, importer::ModelFormat format, const std::string& path) {
  ImportFacts facts;
  facts.format = std::string(importer::format_name(format));
  facts.tfjs = format == importer::ModelFormat::kTfjsGraph;
  facts.saved_model = format == importer::ModelFormat::kTfSavedModel;
  facts.parsed_file_bytes = parsed_file_bytes(format, path);
  facts.protobuf = format == importer::ModelFormat::kTfFrozenGraph ||
                   format == importer::ModelFormat::kTfFrozenGraphText ||
                   format == importer::ModelFormat::kTfSavedModel || format == importer::ModelFormat::kTfCheckpoint;
  facts.nodes = static_cast<int>(graph.nodes.size());
  std::set<const std::byte*> counted;  // values may share one constant
  for (const ir::Value& value : graph.values) {
    if (!value.is_constant() || !counted.insert(value.constant->data).second) continue;
    (value.constant->file_mapped ? facts.weights_mapped_bytes : facts.weights_owned_bytes) += value.constant->size_bytes;
  }
  return facts;
}

size_t input_bytes(const runtime::CompiledModel& model) {
  size_t total = 0;
  for (const runtime::TensorInfo& input : model.inputs())
    total += static_cast<size_t>(num_elements(input.shape)) * dtype_size(input.dtype);
  return total;
}

std::vector<size_t> live_bytes_per_step(const runtime::CompiledModel& model) {
  std::vector<size_t> live(model.steps().size(), 0);
  for (const plan::Buffer& buffer : model.memory_plan().buffers)
    for (int s = std::max(buffer.first_step, 0); s <= buffer.last_step && s < static_cast<int>(live.size()); ++s)
      live[s] += buffer.size_bytes;
  return live;
}

PeakPrediction predict_peak(const runtime::CompiledModel& model, const RuntimeBaseline& baseline,
                            const ImportFacts& facts, size_t io_bytes, int threads) {
  PeakPrediction peak;
  peak.drivers = cost_drivers(model, facts, threads);
  peak.runtime = model_runtime(peak.drivers, baseline, model.code_pages_released());
  peak.weights_mapped_bytes = model.weights_mapped_bytes();
  peak.weights_owned_bytes = model.weights_owned_bytes();
  peak.arena_bytes = model.arena_bytes();
  peak.io_bytes = io_bytes;
  for (const runtime::StepInfo& step : model.steps())
    peak.compile_transient_bytes = std::max(peak.compile_transient_bytes, step.packed_weights_bytes);
  peak.dynamic_steps = model.dynamic_steps();
  const size_t weights = peak.weights_mapped_bytes + peak.weights_owned_bytes;
  peak.load_phase_bytes = peak.runtime.load_total();
  peak.compile_phase_bytes = peak.runtime.compile_total() + weights + peak.compile_transient_bytes;
  peak.run_phase_bytes = peak.runtime.run_total() + weights + peak.arena_bytes + peak.io_bytes;
  peak.predicted_peak_bytes = std::max({peak.load_phase_bytes, peak.compile_phase_bytes, peak.run_phase_bytes});
  peak.peak_phase = peak.predicted_peak_bytes == peak.run_phase_bytes       ? "run"
                    : peak.predicted_peak_bytes == peak.compile_phase_bytes ? "compile"
                                                                            : "load";
  return peak;
}

nlohmann::json peak_json(const PeakPrediction& peak) {
  const RuntimeCosts& runtime = peak.runtime;
  return {{"predicted_peak_bytes", peak.predicted_peak_bytes},
          {"peak_phase", peak.peak_phase},
          {"load_runtime_bytes", runtime.load_total()},
          {"compile_runtime_bytes", runtime.compile_total()},
          {"run_runtime_bytes", runtime.run_total()},
          {"runtime",
           {{"process_start_bytes", runtime.process_start_bytes},
            {"process_start_anon_bytes", runtime.process_start_anon_bytes},
            {"load_code_bytes", runtime.load_code_bytes},
            {"parse_bytes", runtime.parse_bytes},
            {"imported_graph_bytes", runtime.imported_graph_bytes},
            {"imported_weights_bytes", runtime.imported_weights_bytes},
            {"compile_code_bytes", runtime.compile_code_bytes},
            {"onednn_primitive_bytes", runtime.onednn_primitive_bytes},
            {"thread_bytes", runtime.thread_bytes},
            {"graph_bytes", runtime.graph_bytes},
            {"allocator_bytes", runtime.allocator_bytes},
            {"run_code_bytes", runtime.run_code_bytes},
            {"run_allocator_bytes", runtime.run_allocator_bytes},
            {"code_pages_kept", runtime.code_pages_kept},
            {"onednn_library_bytes", runtime.onednn_library_bytes}}},
          {"cost_drivers",
           {{"protobuf", peak.drivers.protobuf},
            {"tfjs", peak.drivers.tfjs},
            {"saved_model", peak.drivers.saved_model},
            {"parsed_file_bytes", peak.drivers.parsed_file_bytes},
            {"reference_kernel_kinds", peak.drivers.reference_kernel_kinds},
            {"onednn", peak.drivers.onednn},
            {"onednn_conv", peak.drivers.onednn_conv},
            {"onednn_deconv", peak.drivers.onednn_deconv},
            {"onednn_pool", peak.drivers.onednn_pool},
            {"onednn_elementwise", peak.drivers.onednn_elementwise},
            {"onednn_distinct_primitives", peak.drivers.onednn_distinct_primitives},
            {"worker_threads", peak.drivers.worker_threads},
            {"imported_nodes", peak.drivers.imported_nodes},
            {"imported_weights_owned_bytes", peak.drivers.imported_weights_owned_bytes},
            {"imported_weights_mapped_bytes", peak.drivers.imported_weights_mapped_bytes}}},
          {"weights_mapped_bytes", peak.weights_mapped_bytes},
          {"weights_owned_bytes", peak.weights_owned_bytes},
          {"arena_bytes", peak.arena_bytes},
          {"io_bytes", peak.io_bytes},
          {"compile_transient_bytes", peak.compile_transient_bytes},
          {"load_phase_bytes", peak.load_phase_bytes},
          {"compile_phase_bytes", peak.compile_phase_bytes},
          {"run_phase_bytes", peak.run_phase_bytes},
          {"dynamic_steps", peak.dynamic_steps}};
}

namespace {

std::string mib(size_t value) { return fmt::format("{:9.2f} MiB", value / kMiB); }

}  // namespace

std::string peak_text(const PeakPrediction& peak) {
  const RuntimeCosts& runtime = peak.runtime;
  std::string text;
  text += fmt::format("  load phase            {}  the model imported:\n", mib(peak.load_phase_bytes));
  text += fmt::format("    process at start    {}  measured: VmRSS before the model was loaded\n",
                      mib(runtime.process_start_bytes));
  text += fmt::format("    importer code       {}  the importer, its JSON or protobuf reader\n",
                      mib(runtime.load_code_bytes));
  text += fmt::format("    parsed description  {}  JSON DOM or protobuf messages, less the weights\n",
                      mib(runtime.parse_bytes));
  text += fmt::format("    imported graph      {}  per imported node\n", mib(runtime.imported_graph_bytes));
  text += fmt::format("    imported weights    {}  decoded or copied by the importer\n",
                      mib(runtime.imported_weights_bytes));
  text += fmt::format("  compile phase         {}  the importer's code released, kernels made:\n",
                      mib(peak.compile_phase_bytes));
  text += fmt::format("    start, anonymous    {}  measured: RssAnon before the model was loaded\n",
                      mib(runtime.process_start_anon_bytes));
  text += fmt::format("    code paged in       {}  libraries' kept pages, code within compile's budget\n",
                      mib(runtime.compile_code_bytes));
  text += fmt::format("    oneDNN primitives   {}  JIT code and state, per distinct primitive\n",
                      mib(runtime.onednn_primitive_bytes));
  text += fmt::format("    threads             {}  OpenMP worker stacks and malloc arenas\n", mib(runtime.thread_bytes));
  text += fmt::format("    graph and kernels   {}  per imported node\n", mib(runtime.graph_bytes));
  text += fmt::format("    allocator           {}  heap kept after compile frees packed sources\n",
                      mib(runtime.allocator_bytes));
  if (runtime.code_pages_kept)
    text += fmt::format("    code kept           {}  --keep-code-pages: the start's, importer's and oneDNN's code,\n"
                        "                                  in place of the code terms of compile and run\n",
                        mib(runtime.kept_code()));
  text += fmt::format("    weights             {}  mapped {} + owned {}\n",
                      mib(peak.weights_mapped_bytes + peak.weights_owned_bytes), mib(peak.weights_mapped_bytes),
                      mib(peak.weights_owned_bytes));
  text += fmt::format("    compile transient   {}  largest weight held twice while packed\n",
                      mib(peak.compile_transient_bytes));
  text += fmt::format("  run phase             {}  compile released the code pages again:\n", mib(peak.run_phase_bytes));
  text += fmt::format("    code paged back     {}  the run path's code (libc, OpenMP, leanrt, oneDNN execute)\n",
                      mib(runtime.run_code_bytes));
  text += fmt::format("    allocator           {}  heap kept once running\n", mib(runtime.run_allocator_bytes));
  text += fmt::format("    (start, primitives, threads, graph, weights as above)\n");
  text += fmt::format("  weights, mapped       {}  read in place from the model file (RssFile)\n",
                      mib(peak.weights_mapped_bytes));
  text += fmt::format("  weights, owned        {}  dequantized, folded or packed (RssAnon)\n",
                      mib(peak.weights_owned_bytes));
  text += fmt::format("  arena                 {}\n", mib(peak.arena_bytes));
  text += fmt::format("  inputs (io)           {}\n", mib(peak.io_bytes));
  if (peak.dynamic_steps > 0)
    text += fmt::format("  dynamic region            n/a  {} data-dependent steps: known only once they run\n",
                        peak.dynamic_steps);
  text += fmt::format("  predicted peak        {}  {} phase (load {}, compile {}, run {})\n",
                      mib(peak.predicted_peak_bytes), peak.peak_phase, mib(peak.load_phase_bytes),
                      mib(peak.compile_phase_bytes), mib(peak.run_phase_bytes));
  return text;
}

}  // namespace leanrt::profile
