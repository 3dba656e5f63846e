// The engine façade the CLI and bindings call: load + compile + run, with
// inputs and outputs as files. Each call validates everything it is given
// before doing work, so a bad input fails fast with one clear line and
// never leaves a partial output behind.
//
//   InspectOptions options;
//   options.batch = 32;
//   LEANRT_ASSIGN_OR_RETURN(ModelReport report, inspect_model("model.json", options));
//   std::cout << report_json(report).dump(2);
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "leanrt/data/prediction_writer.h"
#include "leanrt/import/load_model.h"
#include "leanrt/profile/peak_model.h"
#include "leanrt/runtime/compiled_model.h"

namespace leanrt::engine {

struct InspectOptions {
  int64_t batch = 1;  // binds every unknown input dim
  // Full shapes for inputs the model leaves without a rank (or to override).
  std::map<std::string, Shape> input_shapes;
  importer::LoadOptions load;
  kernels::KernelOptions kernels;
  std::vector<std::string> outputs;
  int64_t max_loop_iterations = 1'000'000;
  size_t max_dynamic_bytes = size_t{1} << 30;
};

struct ModelReport {
  std::string model;
  std::string format;
  int64_t batch = 1;
  std::vector<runtime::TensorInfo> inputs;
  std::vector<runtime::TensorInfo> outputs;
  std::map<std::string, int> ops;  // op histogram of the model as imported
  int imported_nodes = 0;
  std::vector<runtime::StepInfo> steps;  // the compiled schedule
  size_t weights_bytes = 0;
  size_t weights_mapped_bytes = 0;
  size_t weights_owned_bytes = 0;
  size_t arena_bytes = 0;
  size_t arena_bytes_lower_bound = 0;
  std::string plan_strategy;
  // Why there is no plan (an input without a shape and no --input-shape);
  // empty when the model compiled. The other fields then describe the model
  // as imported.
  std::string plan_missing;
  // Steps whose shapes depend on run-time values, and the bound on the
  // memory they may hold at once (the dynamic region).
  int dynamic_steps = 0;
  size_t dynamic_region_limit_bytes = 0;
  // The peak a process running this plan will reach (weights, arena,
  // inputs and the runtime), predicted from the plan alone: see
  // profile/peak_model.h and docs/memory.md. Empty without a plan.
  profile::PeakPrediction peak;
  // A SavedModel's signatures (of the MetaGraph the tag picks); empty for
  // other formats.
  std::vector<importer::SignatureInfo> signatures;
};

Expected<ModelReport> inspect_model(const std::string& path, const InspectOptions& options);
nlohmann::json report_json(const ModelReport& report);
std::string report_text(const ModelReport& report);

// How far a run is, reported after every batch.
struct RunProgress {
  int64_t samples_done = 0;   // including those of an earlier, resumed run
  int64_t samples_total = 0;
  int64_t batches_done = 0;   // in this process
  int64_t samples_resumed = 0;  // done before this process started
  double seconds = 0;         // since the first batch of this process
};

// What `run` reads and writes. Inputs are datasets whose leading axis is the
// sample axis; they are streamed `batch` samples at a time, so memory stays
// flat whatever their size: mapped input pages are released behind the
// batch, outputs are written as they come (see data/sample_source.h).
struct RunRequest {
  std::string model;
  importer::LoadOptions load;
  kernels::KernelOptions kernels;
  int64_t max_loop_iterations = 1'000'000;  // While loops running longer stop with an error
  size_t max_dynamic_bytes = size_t{1} << 30;  // bound on memory held by data-dependent steps
  // Model input name -> dataset path: .npy, .npz, an image directory, a
  // .jpg/.png file or a list file of image paths. An empty name means the only
  // model input (or, for an .npz, every input its arrays are named after).
  std::vector<std::pair<std::string, std::string>> inputs;
  std::vector<std::string> outputs;  // empty: the model's declared outputs
  std::string output_dir;
  bool overwrite = false;
  int64_t batch = 32;  // samples per model call (models with a fixed leading dim of 1 take one)
  data::OutputFormat format = data::OutputFormat::kNpy;
  int64_t top_k = 0;  // csv/jsonl: write the k best classes per output instead of every value
  bool resume = false;  // continue an interrupted run into output_dir from its last complete batch
  // Image inputs: x = (pixel - mean[c]) * scale[c]; one value or one per channel.
  std::vector<float> image_mean;
  std::vector<float> image_scale;
  // Polled between batches: when it becomes true, the run stops after the
  // batch in flight, leaving valid partial outputs that `resume` continues.
  const std::atomic<bool>* stop_requested = nullptr;
  // Called after every batch (on the calling thread).
  std::function<void(const RunProgress&)> on_batch;
};

struct RunSummary {
  int64_t samples = 0;         // samples in the dataset
  int64_t samples_written = 0;  // written by this process (less than `samples` when resumed or stopped)
  int64_t samples_resumed = 0;  // already written by the interrupted run this one resumed
  int64_t batches = 0;          // model calls made by this process
  int64_t batch_rows = 0;       // samples per full batch
  int plans_compiled = 0;       // one per input shape met (full batch, last partial batch)
  bool stopped = false;         // stop_requested ended the run early; outputs are partial
  double seconds = 0;
  double samples_per_second = 0;
  std::vector<std::string> written;  // final output files (partial files when stopped)
  size_t arena_bytes = 0;
  size_t dynamic_peak_bytes = 0;  // most memory data-dependent steps held at once (0: none)
  size_t weights_bytes = 0;
  size_t input_batch_bytes = 0;   // one full batch of every input, as the model reads it
  size_t output_batch_bytes = 0;  // one full batch of every output
  size_t peak_rss_bytes = 0;      // VmHWM of the process when the run ended
  size_t rss_anon_bytes = 0;      // RssAnon then (heap, arena)
  size_t rss_file_bytes = 0;      // RssFile then (mapped model, inputs, code)
};

Expected<RunSummary> run_model(const RunRequest& request);

// The file name an output tensor is written to: every character outside
// [A-Za-z0-9._-] replaced by '_', plus ".npy".
std::string output_file_name(const std::string& tensor_name);

// One line for a terminal progress bar, at most `width` columns: bar,
// samples done / total, samples/s, ETA, and the RSS given.
std::string progress_line(const RunProgress& progress, size_t rss_bytes, int width);

}  // namespace leanrt::engine
