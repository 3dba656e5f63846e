// leanrt profile: where every byte and millisecond goes. Loads a model,
// compiles it for one batch size and memory strategy, runs it R times with
// per-step timing and reports, per step, the time, the bytes written and the
// bytes live; and for the process, the predicted peak next to the measured
// VmHWM.
//
//   ProfileRequest request;
//   request.model = "model.json";
//   request.batch = 8;
//   LEANRT_ASSIGN_OR_RETURN(ProfileReport report, profile_model(request));
//   std::cout << profile_text(report);
//
// Memory is measured in the calling process: VmHWM is the process's high
// water mark, so one configuration per process (see sweep.h, which runs each
// in a child).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "leanrt/import/load_model.h"
#include "leanrt/profile/peak_model.h"
#include "leanrt/profile/resident_memory.h"
#include "leanrt/runtime/compiled_model.h"

namespace leanrt::profile {

// The memory strategies --compare switches off one at a time.
struct MemoryStrategies {
  bool in_place = true;     // outputs overwrite dying inputs (CompileOptions.in_place)
  bool share_arena = true;  // tensors with disjoint lifetimes share bytes (CompileOptions.share_arena)
  bool map_weights = true;  // weights read in place from the mapped file (CompileOptions.map_weights)
  bool release_code = true;  // code pages dropped at the end of compile (CompileOptions.release_code_pages)
};

struct ProfileRequest {
  std::string model;
  importer::LoadOptions load;
  kernels::KernelOptions kernels;
  // Model input name -> a .npy/.npz file (rows are taken cyclically to fill
  // the batch) or a shape "d0,d1,..." (random values). Inputs not named get
  // random values of their declared shape, the leading dim set to `batch`.
  std::vector<std::pair<std::string, std::string>> inputs;
  std::vector<std::string> outputs;  // empty: the declared outputs
  int64_t batch = 1;
  int runs = 10;   // timed runs; the per-step times are their medians
  int warmup = 1;  // untimed runs first (the first run touches the arena)
  MemoryStrategies strategies;
  int64_t max_loop_iterations = 1'000'000;
  size_t max_dynamic_bytes = size_t{1} << 30;
};

struct StepProfile {
  runtime::StepInfo info;  // node, op, kernel, output and scratch bytes
  double seconds = 0;      // median over the runs (summed over the calls of a run)
  size_t live_bytes = 0;   // arena buffers live at this step
};

// A tensor live at the peak step, for the table under the per-op list.
struct LiveTensor {
  std::string name;
  size_t size_bytes = 0;
  int first_step = 0;
  int last_step = 0;
  size_t offset = 0;
  bool scratch = false;
};

// Resident memory at one point of the profile (between phases).
struct MemoryStage {
  std::string name;  // "start", "loaded", "compiled", "first run", "end"
  ResidentMemory memory;  // memory.status.peak_rss_bytes: VmHWM since the process started
  // The peak of the phase that ended here (since the previous stage: load,
  // compile, first run, timed runs), or 0 when VmHWM could not be reset.
  size_t phase_peak_bytes = 0;
};

struct ProfileReport {
  std::string model;
  std::string format;
  int64_t batch = 1;
  // How `batch` samples go through the model: "batched" (one call of
  // `batch` rows), "one at a time" (the model fixes its leading dim at 1:
  // `batch` calls per run, as `leanrt run` streams it) or "whole" (no
  // sample axis: the inputs run once as they are, batch ignored).
  std::string batching;
  int64_t calls_per_run = 1;
  MemoryStrategies strategies;
  int threads = 0;
  int runs = 0;
  std::vector<runtime::TensorInfo> inputs, outputs;
  std::vector<std::string> input_sources;  // per input: the file, or "random"
  std::vector<StepProfile> steps;
  std::vector<runtime::PlannedTensor> planned_tensors;
  std::vector<size_t> tensor_offsets;  // per planned tensor
  int peak_step = -1;                 // the step with the most live bytes
  std::vector<LiveTensor> live_at_peak;
  size_t arena_bytes = 0;
  size_t arena_bytes_lower_bound = 0;
  std::string plan_strategy;
  double load_seconds = 0, compile_seconds = 0;
  double run_seconds_median = 0;  // one run = `batch` samples
  double samples_per_second = 0;
  size_t dynamic_peak_bytes = 0;
  PeakPrediction predicted;
  std::vector<MemoryStage> stages;
  bool phase_peaks_known = true;  // VmHWM could be reset between stages (MemoryStage::phase_peak_bytes)
  size_t measured_peak_bytes = 0;  // VmHWM at the end
  size_t rss_anon_bytes = 0;       // at the end
  size_t rss_file_bytes = 0;
};

Expected<ProfileReport> profile_model(const ProfileRequest& request);

// The steps by time, slowest first, at most `count`.
std::vector<int> slowest_steps(const ProfileReport& report, size_t count);

nlohmann::json profile_json(const ProfileReport& report);

// A model's inputs or outputs as `inspect --json` and `profile --json` list
// them: name, shape (null when known only at run time), dtype.
nlohmann::json tensors_json(const std::vector<runtime::TensorInfo>& tensors);
std::string profile_text(const ProfileReport& report);

}  // namespace leanrt::profile
