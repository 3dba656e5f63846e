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

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "leanrt/import/load_model.h"
#include "leanrt/runtime/compiled_model.h"

namespace leanrt::engine {

struct InspectOptions {
  int64_t batch = 1;  // binds every unknown input dim
  importer::LoadOptions load;
  kernels::KernelOptions kernels;
  std::vector<std::string> outputs;
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
};

Expected<ModelReport> inspect_model(const std::string& path, const InspectOptions& options);
nlohmann::json report_json(const ModelReport& report);
std::string report_text(const ModelReport& report);

struct RunRequest {
  std::string model;
  importer::LoadOptions load;
  kernels::KernelOptions kernels;
  std::vector<std::pair<std::string, std::string>> inputs;  // input name -> .npy path
  std::vector<std::string> outputs;                         // empty: the model's declared outputs
  std::string output_dir;
  bool overwrite = false;
};

struct RunSummary {
  int64_t samples = 0;
  std::vector<std::string> written;  // output files
  size_t arena_bytes = 0;
  size_t weights_bytes = 0;
  size_t peak_rss_bytes = 0;
};

Expected<RunSummary> run_model(const RunRequest& request);

// The file name an output tensor is written to: every character outside
// [A-Za-z0-9._-] replaced by '_', plus ".npy".
std::string output_file_name(const std::string& tensor_name);

}  // namespace leanrt::engine
