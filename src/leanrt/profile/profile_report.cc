// profile_json and profile_text: the report of one profiled configuration.
#include <fmt/format.h>

#include "leanrt/profile/profiler.h"

namespace leanrt::profile {
nlohmann::json tensors_json(const std::vector<runtime::TensorInfo>& tensors) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& tensor : tensors)
    list.push_back({{"name", tensor.name},
                    {"shape", tensor.dynamic_shape ? nlohmann::json(nullptr) : nlohmann::json(tensor.shape)},
                    {"dtype", std::string(dtype_name(tensor.dtype))}});
  return list;
}

namespace {

nlohmann::json resident_json(const ResidentMemory& memory) {
  return {{"peak_rss_bytes", memory.status.peak_rss_bytes},
          {"rss_bytes", memory.status.rss_bytes},
          {"rss_anon_bytes", memory.status.rss_anon_bytes},
          {"rss_file_bytes", memory.status.rss_file_bytes},
          {"executable_bytes", memory.executable_bytes},
          {"onednn_library_bytes", memory.onednn_library_bytes},
          {"other_library_bytes", memory.other_library_bytes},
          {"other_file_bytes", memory.other_file_bytes},
          {"heap_bytes", memory.heap_bytes},
          {"anonymous_bytes", memory.anonymous_bytes},
          {"stack_bytes", memory.stack_bytes}};
}

nlohmann::json steps_json(const ProfileReport& report) {
  nlohmann::json steps = nlohmann::json::array();
  for (const StepProfile& step : report.steps)
    steps.push_back({{"node", step.info.node},
                     {"op", step.info.op},
                     {"kernel", step.info.kernel},
                     {"seconds", step.seconds},
                     {"output_bytes", step.info.output_bytes},
                     {"live_bytes", step.live_bytes},
                     {"scratch_bytes", step.info.scratch_bytes},
                     {"packed_weights_bytes", step.info.packed_weights_bytes}});
  return steps;
}

nlohmann::json arena_map_json(const ProfileReport& report) {
  nlohmann::json tensors = nlohmann::json::array();
  for (size_t t = 0; t < report.planned_tensors.size(); ++t) {
    const runtime::PlannedTensor& tensor = report.planned_tensors[t];
    tensors.push_back({{"name", tensor.name},
                       {"size_bytes", tensor.size_bytes},
                       {"offset", report.tensor_offsets[t]},
                       {"first_step", tensor.first_step},
                       {"last_step", tensor.last_step},
                       {"scratch", tensor.scratch}});
  }
  return tensors;
}

nlohmann::json live_at_peak_json(const ProfileReport& report) {
  nlohmann::json tensors = nlohmann::json::array();
  for (const LiveTensor& tensor : report.live_at_peak)
    tensors.push_back({{"name", tensor.name},
                       {"size_bytes", tensor.size_bytes},
                       {"offset", tensor.offset},
                       {"first_step", tensor.first_step},
                       {"last_step", tensor.last_step},
                       {"scratch", tensor.scratch}});
  return tensors;
}

std::string mib(size_t bytes) { return fmt::format("{:.2f} MiB", bytes / 1048576.0); }

std::string strategies_text(const MemoryStrategies& strategies) {
  std::string off;
  if (!strategies.in_place) off += " in-place";
  if (!strategies.share_arena) off += " arena-sharing";
  if (!strategies.map_weights) off += " mapped-weights";
  if (!strategies.release_code) off += " code-release";
  return off.empty() ? "all on" : "off:" + off;
}

// The end of a long name, which is where TF names differ ("...conv2d_3/Relu").
std::string tail(const std::string& name, size_t width) {
  return name.size() > width ? "..." + name.substr(name.size() - (width - 3)) : name;
}

std::string step_table(const ProfileReport& report) {
  std::string text = fmt::format("{:>4}  {:<36} {:<20} {:<26} {:>9} {:>12} {:>12} {:>10}\n", "step", "node", "op",
                                 "kernel", "ms", "output B", "live B", "scratch B");
  for (size_t s = 0; s < report.steps.size(); ++s) {
    const StepProfile& step = report.steps[s];
    const std::string node = tail(step.info.node, 36);
    text += fmt::format("{:>4}{} {:<36} {:<20} {:<26} {:>9.3f} {:>12} {:>12} {:>10}\n", s,
                        static_cast<int>(s) == report.peak_step ? "*" : " ", node, step.info.op, step.info.kernel,
                        step.seconds * 1e3, step.info.output_bytes, step.live_bytes, step.info.scratch_bytes);
  }
  return text;
}

std::string stages_text(const ProfileReport& report) {
  std::string text = fmt::format("  {:<10} {:>12} {:>12} {:>12} {:>12} {:>12}\n", "stage", "VmRSS", "VmHWM",
                                 "phase peak", "RssAnon", "RssFile");
  for (const MemoryStage& stage : report.stages)
    text += fmt::format("  {:<10} {:>12} {:>12} {:>12} {:>12} {:>12}\n", stage.name, mib(stage.memory.status.rss_bytes),
                        mib(stage.memory.status.peak_rss_bytes),
                        report.phase_peaks_known ? mib(stage.phase_peak_bytes) : std::string("n/a"),
                        mib(stage.memory.status.rss_anon_bytes), mib(stage.memory.status.rss_file_bytes));
  return text;
}

}  // namespace

nlohmann::json profile_json(const ProfileReport& report) {
  nlohmann::json stages = nlohmann::json::array();
  for (const MemoryStage& stage : report.stages)
    stages.push_back(
        {{"stage", stage.name}, {"memory", resident_json(stage.memory)}, {"phase_peak_bytes", stage.phase_peak_bytes}});
  nlohmann::json slowest = nlohmann::json::array();
  for (int s : slowest_steps(report, 10)) slowest.push_back(s);
  const long long gap = static_cast<long long>(report.measured_peak_bytes) -
                        static_cast<long long>(report.predicted.predicted_peak_bytes);
  return {{"model", report.model},
          {"format", report.format},
          {"batch", report.batch},
          {"batching", report.batching},
          {"calls_per_run", report.calls_per_run},
          {"strategies",
           {{"in_place", report.strategies.in_place},
            {"share_arena", report.strategies.share_arena},
            {"map_weights", report.strategies.map_weights},
            {"release_code", report.strategies.release_code}}},
          {"threads", report.threads},
          {"runs", report.runs},
          {"inputs", tensors_json(report.inputs)},
          {"input_sources", report.input_sources},
          {"outputs", tensors_json(report.outputs)},
          {"load_seconds", report.load_seconds},
          {"compile_seconds", report.compile_seconds},
          {"run_seconds_median", report.run_seconds_median},
          {"samples_per_second", report.samples_per_second},
          {"arena_bytes", report.arena_bytes},
          {"arena_bytes_lower_bound", report.arena_bytes_lower_bound},
          {"plan_strategy", report.plan_strategy},
          {"dynamic_peak_bytes", report.dynamic_peak_bytes},
          {"predicted", peak_json(report.predicted)},
          {"predicted_peak_bytes", report.predicted.predicted_peak_bytes},
          {"measured_peak_bytes", report.measured_peak_bytes},
          {"peak_gap_bytes", gap},
          {"rss_anon_bytes", report.rss_anon_bytes},
          {"rss_file_bytes", report.rss_file_bytes},
          {"memory_stages", stages},
          {"peak_step", report.peak_step},
          {"slowest_steps", slowest},
          {"steps", steps_json(report)},
          {"live_at_peak", live_at_peak_json(report)},
          {"arena_map", arena_map_json(report)}};
}

std::string profile_text(const ProfileReport& report) {
  std::string text = fmt::format("model     {} ({})\nbatch     {} ({}, {} call{} per run), {} timed runs, threads {}\n",
                                 report.model, report.format, report.batch, report.batching, report.calls_per_run,
                                 report.calls_per_run == 1 ? "" : "s", report.runs,
                                 report.threads == 0 ? std::string("all cores") : std::to_string(report.threads));
  text += fmt::format("memory strategies {}\n", strategies_text(report.strategies));
  text += fmt::format("time      load {:.1f} ms, compile {:.1f} ms, run {:.3f} ms median ({:.1f} samples/s)\n\n",
                      report.load_seconds * 1e3, report.compile_seconds * 1e3, report.run_seconds_median * 1e3,
                      report.samples_per_second);
  text += "per step (* = the peak step; ms: median over the runs)\n" + step_table(report);
  text += "\nslowest steps\n";
  double total = 0;
  for (const StepProfile& step : report.steps) total += step.seconds;
  for (int s : slowest_steps(report, 10)) {
    const StepProfile& step = report.steps[s];
    text += fmt::format("  {:>4} {:<48} {:<28} {:>9.3f} ms {:>5.1f}%\n", s, tail(step.info.node, 48), step.info.kernel,
                        step.seconds * 1e3, total > 0 ? 100.0 * step.seconds / total : 0.0);
  }
  text += fmt::format("\ntensors live at the peak step {} ({} live)\n", report.peak_step,
                      report.peak_step >= 0 ? mib(report.steps[report.peak_step].live_bytes) : mib(0));
  for (const LiveTensor& tensor : report.live_at_peak)
    text += fmt::format("  {:<60} {:>12} B  steps {}..{}  offset {}{}\n", tail(tensor.name, 60), tensor.size_bytes,
                        tensor.first_step, tensor.last_step, tensor.offset, tensor.scratch ? "  (scratch)" : "");
  text += fmt::format("\narena {} bytes ({}), lower bound {} bytes, {}\n", report.arena_bytes, mib(report.arena_bytes),
                      report.arena_bytes_lower_bound, report.plan_strategy);
  text += "\npeak memory, predicted from the plan before the run\n" + peak_text(report.predicted);
  const long long gap = static_cast<long long>(report.measured_peak_bytes) -
                        static_cast<long long>(report.predicted.predicted_peak_bytes);
  text += fmt::format("  measured peak        {:9.2f} MiB  (VmHWM; at the end RssAnon {}, RssFile {})\n",
                      report.measured_peak_bytes / 1048576.0, mib(report.rss_anon_bytes), mib(report.rss_file_bytes));
  text += fmt::format("  gap                  {:+9.2f} MiB  ({:+.1f}% of measured)\n", gap / 1048576.0,
                      report.measured_peak_bytes > 0 ? 100.0 * gap / report.measured_peak_bytes : 0.0);
  if (report.dynamic_peak_bytes > 0)
    text += fmt::format("  dynamic region held {} at most during the runs\n", mib(report.dynamic_peak_bytes));
  text += "\nresident memory by stage\n" + stages_text(report);
  return text;
}

}  // namespace leanrt::profile
