#include "leanrt/profile/profiler.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>

#include "leanrt/base/code_pages.h"
#include "leanrt/data/convert.h"
#include "leanrt/data/sample_source.h"

namespace leanrt::profile {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

bool same_tensor(const std::string& a, const std::string& b) { return a == b || a + ":0" == b || a == b + ":0"; }

// "1,224,224,3" -> {1, 224, 224, 3}; nullopt when the text is not a shape
// (then it names a file).
std::optional<Shape> parse_shape(const std::string& text) {
  if (text.empty() || std::filesystem::exists(text)) return std::nullopt;
  Shape shape;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(start, comma - start);
    char* end = nullptr;
    const long long dim = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || dim < 0) return std::nullopt;
    shape.push_back(dim);
    start = comma + 1;
  }
  return shape;
}

// One model input and what feeds it.
struct InputFeed {
  std::string name;
  DType dtype = DType::kInvalid;
  Shape declared;                 // as the model declares it; -1 = any
  std::string source = "random";  // the file, or "random"
  data::SampleSourcePtr file;     // set when a file feeds it
  Shape data_shape;               // the file's whole array, or the shape given / declared
};

Expected<data::SampleSourcePtr> open_array(const std::string& path, const std::string& input_name) {
  if (data::dataset_kind(path) == data::DatasetKind::kNpy) return data::open_npy_source(path);
  if (data::dataset_kind(path) != data::DatasetKind::kNpz)
    return invalid_argument("{}: input \"{}\": expected a .npy or .npz file or a shape d0,d1,...", path, input_name);
  LEANRT_ASSIGN_OR_RETURN(auto archive, data::NpzArchive::open(path));
  const std::vector<std::string> names = archive->array_names();
  std::string wanted = input_name;
  if (wanted.size() > 2 && wanted.compare(wanted.size() - 2, 2, ":0") == 0) wanted.resize(wanted.size() - 2);
  if (std::find(names.begin(), names.end(), wanted) != names.end()) return archive->open_array(wanted);
  if (names.size() == 1) return archive->open_array(names[0]);
  return invalid_argument("{}: input \"{}\": expected an array named \"{}\" (or a single array), found {}", path,
                          input_name, wanted, fmt::join(names, ", "));
}

std::string declared_inputs(const std::vector<InputFeed>& feeds) {
  std::string text;
  for (const InputFeed& feed : feeds) text += (text.empty() ? "" : ", ") + feed.name + " " + shape_string(feed.declared);
  return text;
}

Expected<std::vector<InputFeed>> match_inputs(const ir::Graph& graph, const ProfileRequest& request) {
  std::vector<InputFeed> feeds;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const ir::Value& value = graph.values[graph.inputs[i]];
    feeds.push_back({graph.input_names[i], value.dtype, value.shape, "random", nullptr, value.shape});
  }
  for (const auto& [name, given] : request.inputs) {
    auto feed = std::find_if(feeds.begin(), feeds.end(), [&](const InputFeed& f) {
      return same_tensor(f.name, name) || (name.empty() && feeds.size() == 1);
    });
    if (feed == feeds.end())
      return invalid_argument("{}: unknown input \"{}\": the model's inputs are {}", request.model, name,
                              declared_inputs(feeds));
    if (std::optional<Shape> shape = parse_shape(given)) {
      feed->data_shape = *shape;
      feed->source = "random " + shape_string(*shape);
      continue;
    }
    LEANRT_ASSIGN_OR_RETURN(feed->file, open_array(given, feed->name));
    const std::string refusal = data::conversion_refusal(feed->file->dtype(), feed->dtype);
    if (!refusal.empty())
      return invalid_argument("{}: input \"{}\": expected dtype {}, found {} ({})", given, feed->name,
                              dtype_name(feed->dtype), dtype_name(feed->file->dtype()), refusal);
    feed->data_shape = feed->file->shape();
    feed->source = given;
  }
  return feeds;
}

// As `leanrt run` batches: every input with a leading sample axis (declared
// -1 or 1) is streamed; a model that fixes it at 1 takes one sample per
// call; inputs without one (a scalar, a fixed [10, 10]) run whole.
enum class BatchingKind { kBatched, kOneAtATime, kWhole };

struct Batching {
  BatchingKind kind = BatchingKind::kBatched;
  int64_t rows = 1;  // rows per call
  int64_t calls = 1;
};

const char* batching_name(BatchingKind kind) {
  switch (kind) {
    case BatchingKind::kOneAtATime: return "one at a time";
    case BatchingKind::kWhole: return "whole";
    default: return "batched";
  }
}

Batching choose_batching(const std::vector<InputFeed>& feeds, int64_t batch) {
  bool streamed = true, one_at_a_time = false;
  for (const InputFeed& feed : feeds) {
    const bool sample_axis = !feed.declared.empty() && (feed.declared[0] < 0 || feed.declared[0] == 1) &&
                             !feed.data_shape.empty();
    streamed = streamed && sample_axis;
    one_at_a_time = one_at_a_time || (!feed.declared.empty() && feed.declared[0] == 1);
  }
  if (!streamed) return {BatchingKind::kWhole, 0, 1};
  if (one_at_a_time) return {BatchingKind::kOneAtATime, 1, batch};
  return {BatchingKind::kBatched, batch, 1};
}

// Random values as the corpus references were made: floats uniform [0, 1),
// integers uniform [0, 255], bools false.
void fill_random(std::byte* data, DType dtype, int64_t count, std::mt19937& random) {
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int64_t i = 0; i < count; ++i) {
    switch (dtype) {
      case DType::kF32: reinterpret_cast<float*>(data)[i] = unit(random); break;
      case DType::kF64: reinterpret_cast<double*>(data)[i] = unit(random); break;
      case DType::kI32: reinterpret_cast<int32_t*>(data)[i] = byte(random); break;
      case DType::kI64: reinterpret_cast<int64_t*>(data)[i] = byte(random); break;
      case DType::kU8: reinterpret_cast<uint8_t*>(data)[i] = static_cast<uint8_t>(byte(random)); break;
      default: break;  // zero bytes: false, 0
    }
  }
}

// `count` rows of the file, from row 0 on, cycling when the file has fewer,
// converted to the model's dtype.
Status fill_from_file(data::SampleSource& file, DType dtype, std::byte* data, int64_t rows) {
  const int64_t samples = std::max<int64_t>(file.samples(), 1);
  const int64_t row_elements =
      static_cast<int64_t>(file.row_bytes() / std::max<size_t>(dtype_size(file.dtype()), 1));
  const int64_t chunk = std::min(rows, samples);
  file.reserve_rows(chunk);
  LEANRT_ASSIGN_OR_RETURN(const std::byte* source, file.read_rows(0, chunk));
  if (data::convert_elements(source, file.dtype(), data, dtype, chunk * row_elements))
    return invalid_argument("{}: values do not fit {}", file.name(), dtype_name(dtype));
  for (int64_t done = chunk; done < rows; done += chunk) {
    const int64_t copy = std::min(chunk, rows - done);
    std::memcpy(data + static_cast<size_t>(done * row_elements) * dtype_size(dtype), data,
                static_cast<size_t>(copy * row_elements) * dtype_size(dtype));
  }
  return Status::ok();
}

// The compile shapes (leading dim = rows per call when streamed) and the
// scalar inputs' values (plans are compiled for them, as `leanrt run` does).
Status configure_inputs(std::vector<InputFeed>& feeds, const Batching& batching, runtime::CompileOptions& options,
                        std::mt19937& random) {
  for (InputFeed& feed : feeds) {
    Shape shape = feed.data_shape;
    if (batching.kind != BatchingKind::kWhole && !shape.empty()) shape[0] = batching.rows;
    for (size_t axis = 0; axis < shape.size(); ++axis)
      if (shape[axis] < 0)
        return invalid_argument("input \"{}\" {}: dim {} is not known; pass --input {}=FILE.npy or a shape "
                                "{}=d0,d1,...",
                                feed.name, shape_string(feed.declared), axis, feed.name, feed.name);
    options.input_shapes[feed.name] = shape;
    if (!shape.empty()) continue;
    passes::InputValue value{feed.dtype, {}, std::vector<std::byte>(dtype_size(feed.dtype))};
    if (feed.file) {
      LEANRT_RETURN_IF_ERROR(fill_from_file(*feed.file, feed.dtype, value.bytes.data(), 1));
    } else {
      fill_random(value.bytes.data(), feed.dtype, 1, random);
    }
    options.input_values[feed.name] = std::move(value);
  }
  return Status::ok();
}

// One buffer per compiled input, filled once; files are closed afterwards
// (their pages leave RSS), so the run holds exactly these buffers.
Expected<std::vector<AlignedBuffer>> make_input_buffers(runtime::CompiledModel& model, std::vector<InputFeed>& feeds,
                                                        std::mt19937& random) {
  std::vector<AlignedBuffer> buffers;
  for (size_t k = 0; k < model.inputs().size(); ++k) {
    const runtime::TensorInfo& input = model.inputs()[k];
    const int64_t elements = num_elements(input.shape);
    AlignedBuffer& buffer = buffers.emplace_back(static_cast<size_t>(elements) * dtype_size(input.dtype));
    std::memset(buffer.data(), 0, buffer.size_bytes());
    auto feed = std::find_if(feeds.begin(), feeds.end(), [&](const InputFeed& f) { return f.name == input.name; });
    if (feed != feeds.end() && feed->file) {
      const int64_t rows = input.shape.empty() ? 1 : input.shape[0];
      LEANRT_RETURN_IF_ERROR(fill_from_file(*feed->file, input.dtype, buffer.data(), rows));
    } else {
      fill_random(buffer.data(), input.dtype, elements, random);
    }
    model.set_input(static_cast<int>(k), buffer.data());
  }
  for (InputFeed& feed : feeds) feed.file.reset();
  return buffers;
}

std::vector<LiveTensor> tensors_live_at(const runtime::CompiledModel& model, int step) {
  std::vector<LiveTensor> live;
  const auto& tensors = model.planned_tensors();
  for (size_t t = 0; t < tensors.size(); ++t)
    if (tensors[t].first_step <= step && step <= tensors[t].last_step)
      live.push_back({tensors[t].name, tensors[t].size_bytes, tensors[t].first_step, tensors[t].last_step,
                      model.memory_plan().offsets[t], tensors[t].scratch});
  std::sort(live.begin(), live.end(), [](const LiveTensor& a, const LiveTensor& b) { return a.size_bytes > b.size_bytes; });
  return live;
}

// R timed runs of `calls` model calls each; per step, the median over runs
// of its time summed over the calls of a run.
Status time_runs(runtime::CompiledModel& model, int runs, int64_t calls, std::vector<double>& step_medians,
                 double& run_median) {
  const size_t step_count = model.steps().size();
  std::vector<double> call_seconds(step_count);
  std::vector<std::vector<double>> per_step(step_count, std::vector<double>(runs, 0.0));
  std::vector<double> run_seconds(runs);
  for (int r = 0; r < runs; ++r) {
    const auto start = Clock::now();
    for (int64_t c = 0; c < calls; ++c) {
      LEANRT_RETURN_IF_ERROR(model.run_timed(call_seconds));
      for (size_t s = 0; s < step_count; ++s) per_step[s][r] += call_seconds[s];
    }
    run_seconds[r] = seconds_since(start);
  }
  step_medians.resize(step_count);
  for (size_t s = 0; s < step_count; ++s) step_medians[s] = median(per_step[s]);
  run_median = median(run_seconds);
  return Status::ok();
}

Status check_request(const ProfileRequest& request) {
  if (request.batch < 1) return invalid_argument("--batch {}: expected a batch size >= 1", request.batch);
  if (request.runs < 1) return invalid_argument("--runs {}: expected at least 1 timed run", request.runs);
  if (request.warmup < 0) return invalid_argument("--warmup {}: expected 0 or more", request.warmup);
  return Status::ok();
}

// Resident memory now, and the peak of the phase since the previous stage:
// VmHWM is reset after each reading, and the running maximum of the phase
// peaks stands in for the process's VmHWM.
void push_stage(ProfileReport& report, const char* name) {
  MemoryStage stage{name, read_resident_memory(), 0};
  const size_t since_start = report.stages.empty() ? 0 : report.stages.back().memory.status.peak_rss_bytes;
  if (report.phase_peaks_known) stage.phase_peak_bytes = stage.memory.status.peak_rss_bytes;
  stage.memory.status.peak_rss_bytes = std::max(stage.memory.status.peak_rss_bytes, since_start);
  report.stages.push_back(stage);
  report.phase_peaks_known = report.phase_peaks_known && reset_peak_rss();
}

// Loads the model, timing it; the tensors the caller feeds and fetches
// steer a SavedModel's signature choice, as in `leanrt run`.
Expected<ir::Graph> load(const ProfileRequest& request, ProfileReport& report) {
  importer::LoadOptions load = request.load;
  for (const auto& [name, path] : request.inputs)
    if (!name.empty()) load.tensors.push_back(name);
  load.tensors.insert(load.tensors.end(), request.outputs.begin(), request.outputs.end());
  const auto start = Clock::now();
  LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, importer::load_model(request.model, load));
  report.load_seconds = seconds_since(start);
  push_stage(report, "loaded");
  return graph;
}

runtime::CompileOptions compile_options(const ProfileRequest& request) {
  runtime::CompileOptions options;
  options.outputs = request.outputs;
  options.kernels = request.kernels;
  options.in_place = request.strategies.in_place;
  options.share_arena = request.strategies.share_arena;
  options.map_weights = request.strategies.map_weights;
  options.release_code_pages = request.strategies.release_code;
  options.max_loop_iterations = request.max_loop_iterations;
  options.max_dynamic_bytes = request.max_dynamic_bytes;
  return options;
}

// The plan's view of the run: per-step live bytes, the peak step and what
// is live there, the arena map.
void describe_plan(const runtime::CompiledModel& model, const std::vector<double>& step_medians,
                   ProfileReport& report) {
  report.inputs = model.inputs();
  report.outputs = model.outputs();
  const std::vector<size_t> live = live_bytes_per_step(model);
  for (size_t s = 0; s < model.steps().size(); ++s) report.steps.push_back({model.steps()[s], step_medians[s], live[s]});
  if (!live.empty()) report.peak_step = static_cast<int>(std::max_element(live.begin(), live.end()) - live.begin());
  report.live_at_peak = tensors_live_at(model, report.peak_step);
  report.planned_tensors = model.planned_tensors();
  report.tensor_offsets = model.memory_plan().offsets;
  report.arena_bytes = model.arena_bytes();
  report.arena_bytes_lower_bound = model.arena_bytes_lower_bound();
  report.plan_strategy = model.memory_plan().strategy;
  report.dynamic_peak_bytes = model.dynamic_peak_bytes();
}

// VmHWM, read right after the runs: nothing the report does afterwards
// (JSON, HTML) counts towards the measured peak.
void record_measured_peak(ProfileReport& report) {
  push_stage(report, "end");
  const ResidentMemory& end = report.stages.back().memory;
  report.measured_peak_bytes = end.status.peak_rss_bytes;
  report.rss_anon_bytes = end.status.rss_anon_bytes;
  report.rss_file_bytes = end.status.rss_file_bytes;
}

}  // namespace

Expected<ProfileReport> profile_model(const ProfileRequest& request) {
  LEANRT_RETURN_IF_ERROR(check_request(request));
  ProfileReport report;
  const RuntimeBaseline baseline = measure_runtime_baseline();  // before anything of the model exists
  push_stage(report, "start");
  report.model = request.model;
  report.batch = request.batch;
  report.strategies = request.strategies;
  report.threads = request.kernels.threads;
  report.runs = request.runs;
  LEANRT_ASSIGN_OR_RETURN(importer::ModelFormat format, importer::detect_format(request.model));
  report.format = std::string(importer::format_name(format));
  LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, load(request, report));
  const ImportFacts facts = import_facts(graph, format, request.model);
  // Compile starts by releasing the importer's code; done here, before the
  // compile phase's VmHWM starts counting, its phase peak is compile's own.
  if (request.strategies.release_code) {
    release_code_pages();
    report.phase_peaks_known = report.phase_peaks_known && reset_peak_rss();
  }

  LEANRT_ASSIGN_OR_RETURN(std::vector<InputFeed> feeds, match_inputs(graph, request));
  const Batching batching = choose_batching(feeds, request.batch);
  report.batching = batching_name(batching.kind);
  report.calls_per_run = batching.calls;
  runtime::CompileOptions options = compile_options(request);
  std::mt19937 random(1);
  LEANRT_RETURN_IF_ERROR(configure_inputs(feeds, batching, options, random));
  for (const InputFeed& feed : feeds) report.input_sources.push_back(feed.source);

  const auto start = Clock::now();
  LEANRT_ASSIGN_OR_RETURN(auto model, runtime::CompiledModel::compile(std::move(graph), options));
  report.compile_seconds = seconds_since(start);
  push_stage(report, "compiled");
  LEANRT_ASSIGN_OR_RETURN(std::vector<AlignedBuffer> input_buffers, make_input_buffers(*model, feeds, random));
  size_t io_bytes = 0;
  for (const AlignedBuffer& buffer : input_buffers) io_bytes += buffer.size_bytes();
  // Predicted before anything runs: the plan, the compiled model and the
  // model as imported.
  report.predicted = predict_peak(*model, baseline, facts, io_bytes, request.kernels.threads);

  for (int w = 0; w < request.warmup; ++w) LEANRT_RETURN_IF_ERROR(model->run());
  push_stage(report, "first run");
  std::vector<double> step_medians;
  LEANRT_RETURN_IF_ERROR(time_runs(*model, request.runs, batching.calls, step_medians, report.run_seconds_median));
  record_measured_peak(report);

  const int64_t samples = batching.kind == BatchingKind::kWhole ? 1 : request.batch;
  report.samples_per_second = report.run_seconds_median > 0 ? samples / report.run_seconds_median : 0;
  describe_plan(*model, step_medians, report);
  return report;
}

std::vector<int> slowest_steps(const ProfileReport& report, size_t count) {
  std::vector<int> order(report.steps.size());
  for (size_t s = 0; s < order.size(); ++s) order[s] = static_cast<int>(s);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return report.steps[a].seconds > report.steps[b].seconds; });
  if (order.size() > count) order.resize(count);
  return order;
}

}  // namespace leanrt::profile
