// Many configurations of one model, each measured in a fresh child process
// (VmHWM is a process's high-water mark: configurations measured one after
// another in one process would each see the largest before them).
//
//   ChildCommand command = [&](const ChildConfig& config) { return argv for `leanrt profile ... --json`; };
//   LEANRT_ASSIGN_OR_RETURN(std::vector<SweepRow> rows, sweep_batches({1, 2, 4, 8}, command));
//   mark_fastest_fitting(rows, 512 << 20);
//   std::cout << sweep_text(rows, 512 << 20);
//
// The child is `leanrt profile` itself (re-executed with a hidden flag): it
// profiles one configuration and prints profile_json on stdout.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "leanrt/profile/profiler.h"

namespace leanrt::profile {

struct ChildConfig {
  int64_t batch = 1;
  MemoryStrategies strategies;
};

// The argv that profiles `config` in a child and prints profile_json.
using ChildCommand = std::function<std::vector<std::string>(const ChildConfig&)>;

// What a child measured, or why it failed.
struct ChildMeasurement {
  ChildConfig config;
  std::string error;  // empty when the child succeeded
  std::string batching;
  size_t arena_bytes = 0;
  size_t predicted_peak_bytes = 0;
  size_t measured_peak_bytes = 0;
  size_t rss_anon_bytes = 0;
  size_t rss_file_bytes = 0;
  size_t weights_mapped_bytes = 0;
  size_t weights_owned_bytes = 0;
  double run_seconds_median = 0;
  double samples_per_second = 0;
};

ChildMeasurement measure_in_child(const ChildConfig& config, const ChildCommand& command);

struct SweepRow {
  ChildMeasurement measured;
  bool fits = false;     // measured peak <= the memory limit
  bool fastest = false;  // the highest throughput among those that fit
};

std::vector<SweepRow> sweep_batches(const std::vector<int64_t>& batches, const ChildCommand& command);
// Marks the rows whose measured peak fits `limit_bytes` and, among them,
// the fastest; no-op without a limit.
void mark_fastest_fitting(std::vector<SweepRow>& rows, std::optional<size_t> limit_bytes);

// --compare: all strategies on, then each switched off alone.
struct CompareRow {
  std::string strategy;  // "all on", "no in-place", "no arena sharing", "weights copied", "code pages kept"
  ChildMeasurement measured;
  long long saved_bytes = 0;          // this row's measured peak minus the all-on peak: what the strategy saves
  long long saved_arena_bytes = 0;    // the same for the planned arena
  double time_ratio = 0;              // this row's run time / the all-on run time
};

std::vector<CompareRow> compare_strategies(int64_t batch, const ChildCommand& command);

nlohmann::json sweep_json(const std::vector<SweepRow>& rows, std::optional<size_t> limit_bytes);
nlohmann::json compare_json(const std::vector<CompareRow>& rows);
std::string sweep_text(const std::vector<SweepRow>& rows, std::optional<size_t> limit_bytes);
std::string compare_text(const std::vector<CompareRow>& rows);

// "512M", "1.5GiB", "1048576": bytes.
Expected<size_t> parse_bytes(const std::string& text);
// "1,2,4,8": batch sizes, each >= 1.
Expected<std::vector<int64_t>> parse_batches(const std::string& text);

}  // namespace leanrt::profile
