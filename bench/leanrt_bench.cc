// leanrt_bench: loads a model, compiles it at a batch size, runs it N times
// after warm-up and prints one JSON line: median time per run, throughput in
// samples/s, and the process's peak RSS (VmHWM) at exit.
//
//   leanrt_bench MODEL --batch 32 --runs 20 --threads 2 [--kernels reference]
//                [--input NAME=1,128,128,3]... [--calls 1]
//   leanrt_bench MODEL --batch 1 --calls 32     (a model whose input fixes batch 1)
//   leanrt_bench MODEL --inputs-json            (declared input shapes, -1 unknown)
//
// Inputs are filled with uniform [0, 1) floats (integers: 0), as the corpus
// references were made. `--input` gives an input's shape at batch 1; its
// leading dim is replaced by --batch. Without it the declared shape is used,
// unknown dims set to 1 (the leading one to --batch).
//
// `--calls N` makes one timed run N calls of --batch samples each, every call
// on its own input samples, so a run covers batch * calls samples: how
// compare.py gives a model that fixes batch 1 the same 32 samples per run as a
// batch-32 model. The peer drivers take the same flag.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <map>
#include <random>

#include "leanrt/base/process_memory.h"
#include "leanrt/import/load_model.h"
#include "leanrt/runtime/compiled_model.h"

namespace {

using namespace leanrt;
using Clock = std::chrono::steady_clock;

Expected<std::map<std::string, Shape>> parse_shapes(const std::vector<std::string>& specs, int64_t batch) {
  std::map<std::string, Shape> shapes;
  for (const std::string& spec : specs) {
    const auto equals = spec.rfind('=');
    if (equals == std::string::npos) return invalid_argument("--input \"{}\": expected NAME=d0,d1,...", spec);
    Shape shape;
    size_t start = equals + 1;
    while (start < spec.size()) {
      size_t comma = spec.find(',', start);
      if (comma == std::string::npos) comma = spec.size();
      shape.push_back(std::stoll(spec.substr(start, comma - start)));
      start = comma + 1;
    }
    if (!shape.empty()) shape[0] = batch;
    shapes[spec.substr(0, equals)] = shape;
  }
  return shapes;
}

// The value of a scalar float input no --value names, in every driver.
constexpr float kScalarInput = 0.5f;

std::vector<std::byte> random_input(DType dtype, const Shape& shape, std::mt19937& random) {
  const size_t count = static_cast<size_t>(num_elements(shape));
  std::vector<std::byte> bytes(count * dtype_size(dtype));
  if (dtype == DType::kF32) {
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    auto* values = reinterpret_cast<float*>(bytes.data());
    for (size_t i = 0; i < count; ++i) values[i] = uniform(random);
  }
  return bytes;
}

// Resident bytes of oneDNN's own shared-library mappings (its code and
// read-only data: file pages shared with every process using it), from
// /proc/self/smaps, to tell that fixed cost apart from the model's memory.
size_t library_rss_bytes(const char* library) {
  std::FILE* smaps = std::fopen("/proc/self/smaps", "r");
  if (smaps == nullptr) return 0;
  char line[512];
  bool inside = false;
  size_t total = 0;
  while (std::fgets(line, sizeof line, smaps) != nullptr) {
    unsigned long long kib = 0;
    if (std::sscanf(line, "Rss: %llu kB", &kib) == 1) {
      if (inside) total += kib * 1024;
    } else if (std::isxdigit(static_cast<unsigned char>(line[0])) && !std::isupper(static_cast<unsigned char>(line[0]))) {
      // A mapping's header ("start-end perms offset dev inode path"); field
      // lines start with a capitalised name.
      inside = std::strstr(line, library) != nullptr;
    }
  }
  std::fclose(smaps);
  return total;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

int fail(const Status& status) {
  std::fprintf(stderr, "leanrt_bench: error: %s\n", status.message().c_str());
  return 2;
}

// One JSON line: each graph input's name, dtype and shape as the model
// declares it (-1 for an unknown dim, null for an unknown rank), before any
// binding. compare.py reads it to tell a model that fixes batch 1.
int print_inputs_json(const std::string& path) {
  auto graph = importer::load_model(path, {});
  if (!graph) return fail(graph.status());
  std::string json = "{\"model\": \"" + path + "\", \"inputs\": [";
  for (size_t i = 0; i < graph->inputs.size(); ++i) {
    const ir::Value& value = graph->values[graph->inputs[i]];
    json += i ? ", " : "";
    json += "{\"name\": \"" + graph->input_names[i] + "\", \"dtype\": \"" + std::string(dtype_name(value.dtype)) +
            "\", \"shape\": ";
    if (value.unknown_rank) {
      json += "null}";
      continue;
    }
    json += "[";
    for (size_t d = 0; d < value.shape.size(); ++d) json += (d ? ", " : "") + std::to_string(value.shape[d]);
    json += "]}";
  }
  std::printf("%s]}\n", json.c_str());
  return 0;
}

int bench(const std::string& path, int64_t batch, int64_t calls, int runs, double min_time_ms, int warmup,
          const kernels::KernelOptions& kernel_options, const std::vector<std::string>& input_specs,
          const std::map<std::string, float>& scalar_values) {
  auto shapes = parse_shapes(input_specs, batch);
  if (!shapes) return fail(shapes.status());
  // The inputs named pick a SavedModel's signature, as in `leanrt run`.
  importer::LoadOptions load;
  for (const auto& [name, shape] : *shapes) load.tensors.push_back(name);
  auto graph = importer::load_model(path, load);
  if (!graph) return fail(graph.status());
  runtime::CompileOptions options;
  options.kernels = kernel_options;
  options.default_dim = 1;
  options.input_shapes = *shapes;
  for (size_t i = 0; i < graph->inputs.size(); ++i) {
    const std::string& name = graph->input_names[i];
    if (options.input_shapes.count(name)) continue;
    Shape shape = graph->values[graph->inputs[i]].shape;
    for (int64_t& dim : shape) dim = dim < 0 ? 1 : dim;
    if (!shape.empty()) shape[0] = batch;
    options.input_shapes[name] = shape;
  }
  // compile would reject a batch other than the one an input fixes, naming
  // only the shapes; fail here with the flags to use instead.
  for (size_t i = 0; i < graph->inputs.size(); ++i) {
    const ir::Value& value = graph->values[graph->inputs[i]];
    auto bound = options.input_shapes.find(graph->input_names[i]);
    if (value.unknown_rank || value.shape.empty() || value.shape[0] < 0 || bound == options.input_shapes.end() ||
        bound->second.empty() || bound->second[0] == value.shape[0])
      continue;
    return fail(invalid_argument(
        "{}: input \"{}\": the model fixes the leading (batch) dim, {}; expected --batch {}, found --batch {} "
        "(for more samples per timed run add --calls N)",
        path, graph->input_names[i], shape_string(value.shape), value.shape[0], batch));
  }
  // Scalar inputs (rvm's downsample_ratio) steer shapes: every driver feeds
  // the --value given (the corpus data's) or kScalarInput, and leanrt
  // compiles for it as `leanrt run` does (passes::specialize_inputs).
  for (size_t i = 0; i < graph->inputs.size(); ++i) {
    const ir::Value& value = graph->values[graph->inputs[i]];
    auto given = scalar_values.find(graph->input_names[i]);
    const bool declared_scalar = value.shape.empty() && !value.unknown_rank;
    if (value.dtype != DType::kF32 || (!declared_scalar && given == scalar_values.end())) continue;
    const float fed = given == scalar_values.end() ? kScalarInput : given->second;
    passes::InputValue scalar{DType::kF32, {}, std::vector<std::byte>(sizeof(float))};
    std::memcpy(scalar.bytes.data(), &fed, sizeof(float));
    options.input_values[graph->input_names[i]] = std::move(scalar);
  }
  // Compiled as `leanrt run` compiles: code pages released at the start, as
  // kernel making goes and at the end (CompileOptions::release_code_pages).
  const auto compile_start = Clock::now();
  auto model = runtime::CompiledModel::compile(std::move(*graph), options);
  if (!model) return fail(model.status());
  const double compile_ms = std::chrono::duration<double, std::milli>(Clock::now() - compile_start).count();
  const size_t compile_library_bytes = library_rss_bytes("libdnnl.so");
  // inputs[call][input]: every call gets its own samples, as a user feeding
  // `calls` batches would; all of them are made before timing.
  std::mt19937 random(1);
  const size_t input_count = (*model)->inputs().size();
  std::vector<std::vector<std::vector<std::byte>>> inputs(static_cast<size_t>(calls));
  for (auto& call_inputs : inputs)
    for (size_t i = 0; i < input_count; ++i) {
      const auto& info = (*model)->inputs()[i];
      call_inputs.push_back(random_input(info.dtype, info.shape, random));
    }
  // One run: `calls` calls of `batch` samples each.
  auto run_once = [&]() -> Status {
    for (const auto& call_inputs : inputs) {
      for (size_t i = 0; i < input_count; ++i) (*model)->set_input(static_cast<int>(i), call_inputs[i].data());
      LEANRT_RETURN_IF_ERROR((*model)->run());
    }
    return Status::ok();
  };
  double fastest_warmup_ms = 0.0;
  for (int i = 0; i < std::max(warmup, 1); ++i) {
    const auto start = Clock::now();
    if (Status status = run_once(); !status.is_ok()) return fail(status);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    fastest_warmup_ms = i == 0 ? ms : std::min(fastest_warmup_ms, ms);
  }
  // Runs shorter than min_time / kMaxSamples are timed in groups (a sample
  // is a group's mean), so the samples stay few: a vector of 400,000
  // microsecond runs would itself add megabytes to the peak RSS measured.
  constexpr double kMaxSamples = 1000.0;
  const int group = static_cast<int>(std::max(1.0, min_time_ms / kMaxSamples / std::max(fastest_warmup_ms, 1e-6)));
  std::vector<double> times_ms;
  times_ms.reserve(static_cast<size_t>(runs + kMaxSamples) + 16);
  double timed_ms = 0.0;
  while (static_cast<int>(times_ms.size()) < runs || timed_ms < min_time_ms) {
    const auto start = Clock::now();
    for (int i = 0; i < group; ++i)
      if (Status status = run_once(); !status.is_ok()) return fail(status);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    times_ms.push_back(ms / group);
    timed_ms += ms;
  }
  runs = static_cast<int>(times_ms.size()) * group;
  const double median_ms = median(times_ms);
  const ProcessMemory memory = read_process_memory();
  // libdnnl's pages: the larger of what compile left and what the runs
  // paged back (their execute paths).
  const size_t peak_library_bytes = std::max(compile_library_bytes, library_rss_bytes("libdnnl.so"));
  int fast_steps = 0, onednn_steps = 0;
  size_t largest_packed_bytes = 0;
  for (const auto& step : (*model)->steps()) {
    fast_steps += step.kernel.find("_ref") == std::string::npos;
    onednn_steps += step.kernel.find("_onednn") != std::string::npos;
    largest_packed_bytes = std::max(largest_packed_bytes, step.packed_weights_bytes);
  }
  std::printf(
      "{\"engine\": \"leanrt\", \"model\": \"%s\", \"batch\": %lld, \"calls\": %lld, \"samples_per_run\": %lld, "
      "\"kernels\": \"%s\", \"threads\": %d, \"runs\": %d, \"compile_ms\": %.3f, \"median_ms\": %.4f, \"throughput_per_s\": %.3f, "
      "\"peak_rss_bytes\": %zu, \"rss_anon_bytes\": %zu, \"onednn_library_rss_bytes\": %zu, \"arena_bytes\": %zu, \"weights_bytes\": %zu, "
      "\"steps\": %zu, \"fast_steps\": %d, \"onednn_steps\": %d, \"largest_packed_bytes\": %zu, \"single_threaded_at_end\": %s}\n",
      path.c_str(), static_cast<long long>(batch), static_cast<long long>(calls), static_cast<long long>(batch * calls),
      kernel_options.choice == kernels::KernelChoice::kAuto ? "auto" : "reference", kernel_options.threads, runs,
      compile_ms, median_ms, 1000.0 * static_cast<double>(batch * calls) / median_ms, memory.peak_rss_bytes,
      memory.rss_anon_bytes, peak_library_bytes, (*model)->arena_bytes(), (*model)->weights_bytes(), (*model)->steps().size(), fast_steps, onednn_steps, largest_packed_bytes,
      (*model)->runs_single_threaded() ? "true" : "false");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"leanrt_bench: throughput and peak RSS of one model"};
  std::string path, kernels_choice = "auto";
  int64_t batch = 1, calls = 1;
  bool inputs_json = false;
  int runs = 10, warmup = 3, threads = 2;
  double min_time_ms = 0.0;
  std::vector<std::string> input_specs;
  std::vector<std::string> value_specs;
  app.add_option("model", path, "model file")->required();
  app.add_option("--batch", batch, "batch size of one call")->capture_default_str();
  app.add_option("--calls", calls, "calls per timed run, each on its own samples")->capture_default_str();
  app.add_flag("--inputs-json", inputs_json, "print the declared input shapes (-1 unknown) as JSON and exit");
  app.add_option("--runs", runs, "timed runs (the median is reported)")->capture_default_str();
  app.add_option("--min-time-ms", min_time_ms, "keep timing runs until they add up to this (a run of microseconds needs thousands for a steady median)")
      ->capture_default_str();
  app.add_option("--warmup", warmup, "untimed runs first")->capture_default_str();
  app.add_option("--threads", threads, "kernel threads (0 = all cores)")->capture_default_str();
  app.add_option("--kernels", kernels_choice, "auto or reference")->capture_default_str();
  app.add_option("--input", input_specs, "NAME=d0,d1,... an input's shape (leading dim becomes --batch)");
  app.add_option("--value", value_specs, "NAME=V: the value of a scalar float input (default 0.5)");
  CLI11_PARSE(app, argc, argv);
  std::map<std::string, float> scalar_values;
  for (const std::string& spec : value_specs) {
    const size_t equals = spec.rfind('=');
    char* end = nullptr;
    const float number = equals == std::string::npos ? 0.0f : std::strtof(spec.c_str() + equals + 1, &end);
    if (equals == std::string::npos || end == spec.c_str() + equals + 1 || *end != '\0') {
      std::fprintf(stderr, "leanrt_bench: error: --value \"%s\": expected NAME=NUMBER\n", spec.c_str());
      return 2;
    }
    scalar_values[spec.substr(0, equals)] = number;
  }
  if (inputs_json) return print_inputs_json(path);
  leanrt::kernels::KernelOptions kernel_options;
  kernel_options.threads = threads;
  if (kernels_choice == "reference") kernel_options.choice = leanrt::kernels::KernelChoice::kReference;
  else if (kernels_choice != "auto") {
    std::fprintf(stderr, "leanrt_bench: error: --kernels \"%s\": expected auto or reference\n", kernels_choice.c_str());
    return 2;
  }
  if (batch < 1 || calls < 1 || runs < 1) {
    std::fprintf(stderr, "leanrt_bench: error: --batch, --calls and --runs must be at least 1\n");
    return 2;
  }
  return bench(path, batch, calls, runs, min_time_ms, warmup, kernel_options, input_specs, scalar_values);
}
