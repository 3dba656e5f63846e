#include "leanrt/profile/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "leanrt/profile/svg_plot.h"

namespace leanrt::profile {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

double mib(size_t bytes) { return static_cast<double>(bytes) / kMiB; }

std::string mib_text(size_t bytes) { return fmt::format("{:.2f} MiB", mib(bytes)); }

// Kept small and inline: the page must work from a file with no network.
constexpr const char* kStyle = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1040px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; } td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; }
th { text-align: left; background: #f4f4f4; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.chart { display: block; margin: 8px 0; background: #fff; border: 1px solid #e4e4e4; }
.axis { stroke: #333; fill: none; } .tick { stroke: #333; } .grid { stroke: #eee; }
.tick-label { font-size: 11px; fill: #555; } .axis-label { font-size: 12px; fill: #222; }
.hover { fill: #000; fill-opacity: 0; } .hover:hover { fill-opacity: 0.06; }
.live { fill: none; stroke: #1f77b4; stroke-width: 1.5; } .live-area { fill: #1f77b4; fill-opacity: 0.15; }
.peak { fill: #d62728; } .peak-line { stroke: #d62728; stroke-dasharray: 4 3; fill: none; }
.peak-label { font-size: 12px; fill: #d62728; }
.tensor { fill: #6baed6; fill-opacity: 0.75; stroke: #2171b5; stroke-width: 0.5; }
.tensor.scratch { fill: #fdae6b; stroke: #e6550d; } .tensor.live-at-peak { fill: #fb6a4a; stroke: #a50f15; }
.bar { fill: #2ca02c; } .bar.slow { fill: #d62728; }
.measured { fill: none; stroke: #d62728; stroke-width: 2; } .predicted { fill: none; stroke: #ff9896; stroke-width: 2; stroke-dasharray: 6 3; }
.arena-line { fill: none; stroke: #1f77b4; stroke-width: 2; } .throughput { fill: #2ca02c; fill-opacity: 0.35; }
.limit { stroke: #000; stroke-dasharray: 2 2; fill: none; } .rule-label { font-size: 11px; fill: #000; }
.fastest { fill: #000; } .legend { font-size: 12px; }
.strategy { fill: #9467bd; } .strategy.base { fill: #1f77b4; }
#detail { min-height: 1.4em; font-family: monospace; font-size: 12px; color: #333; background: #fafafa; padding: 4px; }
details summary { cursor: pointer; }
)";

// Hovering any mark shows its description in the detail line (the <title>
// tooltips show it too; this keeps it visible while reading).
constexpr const char* kScript = R"(
(function () {
  var detail = document.getElementById('detail');
  document.querySelectorAll('[data-info]').forEach(function (mark) {
    mark.addEventListener('mouseenter', function () { detail.textContent = mark.getAttribute('data-info'); });
  });
  document.body.setAttribute('data-script', 'ran');
})();
)";

std::string row(const std::vector<std::string>& cells, bool header = false) {
  std::string html = "<tr>";
  for (size_t i = 0; i < cells.size(); ++i) {
    const bool number = !header && !cells[i].empty() && (std::isdigit(static_cast<unsigned char>(cells[i][0])) ||
                                                         cells[i][0] == '-' || cells[i][0] == '+');
    html += fmt::format("<{0}{1}>{2}</{0}>", header ? "th" : "td", number ? " class=\"n\"" : "", html_escape(cells[i]));
  }
  return html + "</tr>\n";
}

std::string summary(const ProfileReport& report) {
  std::string off;
  if (!report.strategies.in_place) off += " in-place";
  if (!report.strategies.share_arena) off += " arena-sharing";
  if (!report.strategies.map_weights) off += " mapped-weights";
  if (!report.strategies.release_code) off += " code-release";
  return fmt::format(
      "<p>{} ({}), batch {} ({}, {} call{} per run), {} timed runs, threads {}, memory strategies {}.<br>"
      "Load {:.1f} ms, compile {:.1f} ms, run {:.3f} ms median: {:.1f} samples/s. Arena {} (lower bound {}, {}).</p>\n",
      html_escape(report.model), html_escape(report.format), report.batch, html_escape(report.batching),
      report.calls_per_run, report.calls_per_run == 1 ? "" : "s", report.runs,
      report.threads == 0 ? std::string("all cores") : std::to_string(report.threads),
      off.empty() ? "all on" : "off:" + off, report.load_seconds * 1e3, report.compile_seconds * 1e3,
      report.run_seconds_median * 1e3, report.samples_per_second, mib_text(report.arena_bytes),
      mib_text(report.arena_bytes_lower_bound), html_escape(report.plan_strategy));
}

std::string peak_table(const ProfileReport& report) {
  const PeakPrediction& peak = report.predicted;
  const RuntimeCosts& runtime = peak.runtime;
  std::string html = "<table>\n" + row({"term", "predicted", "what it is"}, true);
  const std::vector<std::tuple<std::string, size_t, std::string>> terms = {
      {"load phase", peak.load_phase_bytes, "the model imported"},
      {"  process at start", runtime.process_start_bytes, "measured: VmRSS before the model was loaded"},
      {"  importer code", runtime.load_code_bytes, "the importer, its JSON or protobuf reader (modelled)"},
      {"  parsed description", runtime.parse_bytes, "JSON DOM or protobuf messages, less the weights (modelled)"},
      {"  imported graph", runtime.imported_graph_bytes, "per imported node (modelled)"},
      {"  imported weights", runtime.imported_weights_bytes, "decoded or copied by the importer (modelled)"},
      {"compile phase", peak.compile_phase_bytes, "the importer's code released, kernels made"},
      {"  start, anonymous", runtime.process_start_anon_bytes, "measured: RssAnon before the model was loaded"},
      {"  code paged in", runtime.compile_code_bytes, "libraries' kept pages, code within compile's budget (modelled)"},
      {"  oneDNN primitives", runtime.onednn_primitive_bytes, "JIT code and state per distinct primitive (modelled)"},
      {"  threads", runtime.thread_bytes, "OpenMP worker stacks and malloc arenas (modelled)"},
      {"  graph and kernels", runtime.graph_bytes, "per imported node (modelled)"},
      {"  allocator", runtime.allocator_bytes, "heap kept after compile frees packed sources (modelled)"},
      {"run phase", peak.run_phase_bytes, "compile released the code pages again"},
      {"  code paged back", runtime.run_code_bytes, "the run path's code: libc, OpenMP, leanrt, oneDNN execute (modelled)"},
      {"  allocator", runtime.run_allocator_bytes, "heap kept once running (modelled)"},
      {"weights, file-mapped", peak.weights_mapped_bytes, "read in place from the model file (RssFile)"},
      {"weights, owned", peak.weights_owned_bytes, "dequantized, folded or packed (RssAnon)"},
      {"arena", peak.arena_bytes, "the planned activation buffer"},
      {"inputs (io)", peak.io_bytes, "input batch buffers"},
      {"compile transient", peak.compile_transient_bytes, "largest weight held twice while packed (compile phase)"},
  };
  for (const auto& [name, bytes, meaning] : terms) html += row({name, mib_text(bytes), meaning});
  html += row({"dynamic region", report.dynamic_peak_bytes ? mib_text(report.dynamic_peak_bytes) + " measured" : "-",
               "data-dependent steps: known only once they run"});
  html += row({"predicted peak", mib_text(peak.predicted_peak_bytes), peak.peak_phase + " phase"});
  const long long gap =
      static_cast<long long>(report.measured_peak_bytes) - static_cast<long long>(peak.predicted_peak_bytes);
  html += row({"measured peak", mib_text(report.measured_peak_bytes),
               fmt::format("VmHWM; at the end RssAnon {}, RssFile {}", mib_text(report.rss_anon_bytes),
                           mib_text(report.rss_file_bytes))});
  html += row({"gap", fmt::format("{:+.2f} MiB", gap / kMiB),
               fmt::format("{:+.1f}% of measured", report.measured_peak_bytes ? 100.0 * gap / report.measured_peak_bytes : 0.0)});
  return html + "</table>\n";
}

std::string stages_table(const ProfileReport& report) {
  std::string html = "<table>\n" + row({"stage", "VmRSS", "VmHWM", "RssAnon", "RssFile", "libdnnl", "heap", "anonymous"}, true);
  for (const MemoryStage& stage : report.stages) {
    const ResidentMemory& m = stage.memory;
    html += row({stage.name, mib_text(m.status.rss_bytes), mib_text(m.status.peak_rss_bytes),
                 mib_text(m.status.rss_anon_bytes), mib_text(m.status.rss_file_bytes), mib_text(m.onednn_library_bytes),
                 mib_text(m.heap_bytes), mib_text(m.anonymous_bytes)});
  }
  return html + "</table>\n";
}

std::string step_label(const ProfileReport& report, size_t s) {
  const StepProfile& step = report.steps[s];
  return fmt::format("step {}: {} ({}, {}) {:.3f} ms, output {} B, live {} B, scratch {} B", s, step.info.node,
                     step.info.op, step.info.kernel, step.seconds * 1e3, step.info.output_bytes, step.live_bytes,
                     step.info.scratch_bytes);
}

std::string live_chart(const ProfileReport& report) {
  const size_t steps = report.steps.size();
  size_t peak_bytes = 0;
  for (const StepProfile& step : report.steps) peak_bytes = std::max(peak_bytes, step.live_bytes);
  SvgPlot plot("chart-live", {0, static_cast<double>(std::max<size_t>(steps, 1)), "step (op sequence)"},
               {0, std::max(mib(peak_bytes) * 1.1, 0.001), "live arena bytes (MiB)"});
  // A step holds its live bytes from x = s to x = s + 1: a staircase.
  std::vector<double> xs, ys;
  for (size_t s = 0; s < steps; ++s) {
    xs.insert(xs.end(), {static_cast<double>(s), static_cast<double>(s + 1)});
    ys.insert(ys.end(), 2, mib(report.steps[s].live_bytes));
  }
  if (xs.empty()) {
    xs = {0, 1};
    ys = {0, 0};
  }
  std::vector<double> area_xs = xs, area_ys = ys;
  area_xs.insert(area_xs.begin(), xs.front());
  area_ys.insert(area_ys.begin(), 0.0);
  area_xs.push_back(xs.back());
  area_ys.push_back(0.0);
  plot.add_path(plot.polyline(area_xs, area_ys) + " Z", "live-area");
  plot.add_path(plot.polyline(xs, ys), "live", "live arena bytes per step");
  for (size_t s = 0; s < steps; ++s)
    plot.add_path(plot.rectangle(s, s + 1, 0, mib(report.steps[s].live_bytes)), "hover", step_label(report, s));
  if (report.peak_step >= 0) {
    const double x = report.peak_step + 0.5, y = mib(peak_bytes);
    plot.add_path(plot.polyline({x, x}, {0, y}), "peak-line");
    plot.add_circle(x, y, 4, "peak", "peak: " + step_label(report, report.peak_step));
    plot.add_text(x, y * 1.04, fmt::format("peak {:.2f} MiB at step {}", y, report.peak_step), "peak-label",
                  report.peak_step > static_cast<int>(steps) / 2 ? "end" : "start");
  }
  return plot.svg();
}

std::string arena_chart(const ProfileReport& report) {
  const size_t steps = report.steps.size();
  SvgPlot plot("chart-arena", {0, static_cast<double>(std::max<size_t>(steps, 1)), "step (lifetime)"},
               {0, std::max(mib(report.arena_bytes), 0.001), "arena offset (MiB)"}, 960, 420);
  for (size_t t = 0; t < report.planned_tensors.size(); ++t) {
    const runtime::PlannedTensor& tensor = report.planned_tensors[t];
    const size_t offset = report.tensor_offsets[t];
    const bool at_peak = tensor.first_step <= report.peak_step && report.peak_step <= tensor.last_step;
    const int last = std::min<int>(tensor.last_step, static_cast<int>(steps) - 1);
    const std::string css = std::string("tensor") + (tensor.scratch ? " scratch" : "") + (at_peak ? " live-at-peak" : "");
    plot.add_path(plot.rectangle(tensor.first_step, last + 1, mib(offset), mib(offset + tensor.size_bytes)), css,
                  fmt::format("{}: {} B at offset {}, steps {}..{}", tensor.name, tensor.size_bytes, offset,
                              tensor.first_step, tensor.last_step));
  }
  if (report.planned_tensors.empty()) plot.add_path(plot.rectangle(0, 1, 0, 0), "tensor", "no planned tensors");
  return plot.svg();
}

std::string time_chart(const ProfileReport& report) {
  const size_t steps = report.steps.size();
  double slowest = 0;
  for (const StepProfile& step : report.steps) slowest = std::max(slowest, step.seconds * 1e3);
  SvgPlot plot("chart-time", {0, static_cast<double>(std::max<size_t>(steps, 1)), "step (op sequence)"},
               {0, std::max(slowest * 1.1, 1e-6), "time per step (ms, median)"});
  const std::vector<int> top = slowest_steps(report, 5);
  for (size_t s = 0; s < steps; ++s) {
    const bool slow = std::find(top.begin(), top.end(), static_cast<int>(s)) != top.end();
    plot.add_path(plot.rectangle(s + 0.1, s + 0.9, 0, report.steps[s].seconds * 1e3), slow ? "bar slow" : "bar",
                  step_label(report, s));
  }
  if (steps == 0) plot.add_path(plot.rectangle(0, 1, 0, 0), "bar", "no steps");
  return plot.svg();
}

std::string sweep_chart(const std::vector<SweepRow>& sweep, std::optional<size_t> limit_bytes) {
  std::vector<double> batches, measured, predicted, arena, throughput;
  for (const SweepRow& row : sweep) {
    if (!row.measured.error.empty()) continue;
    batches.push_back(static_cast<double>(row.measured.config.batch));
    measured.push_back(mib(row.measured.measured_peak_bytes));
    predicted.push_back(mib(row.measured.predicted_peak_bytes));
    arena.push_back(mib(row.measured.arena_bytes));
    throughput.push_back(row.measured.samples_per_second);
  }
  if (batches.empty()) return "<p>No batch size of the sweep ran.</p>\n";
  double top = *std::max_element(measured.begin(), measured.end());
  top = std::max(top, *std::max_element(predicted.begin(), predicted.end()));
  if (limit_bytes) top = std::max(top, mib(*limit_bytes));
  const double max_batch = *std::max_element(batches.begin(), batches.end());
  const double min_batch = *std::min_element(batches.begin(), batches.end());
  SvgPlot plot("chart-sweep", {min_batch / 1.4, max_batch * 1.4, "batch size", true}, {0, top * 1.15, "peak memory (MiB)"});
  plot.set_right_axis({0, *std::max_element(throughput.begin(), throughput.end()) * 1.15, "throughput (samples/s)"});
  for (size_t i = 0; i < batches.size(); ++i)
    plot.add_path(plot.rectangle(batches[i] / 1.15, batches[i] * 1.15, 0, throughput[i], true), "throughput",
                  fmt::format("batch {}: {:.1f} samples/s", batches[i], throughput[i]));
  plot.add_path(plot.polyline(batches, arena), "arena-line", "planned arena (MiB)");
  plot.add_path(plot.polyline(batches, predicted), "predicted", "predicted peak (MiB)");
  plot.add_path(plot.polyline(batches, measured), "measured", "measured peak, VmHWM (MiB)");
  for (size_t i = 0; i < batches.size(); ++i)
    plot.add_circle(batches[i], measured[i], 3, "peak",
                    fmt::format("batch {}: measured {:.2f} MiB, predicted {:.2f} MiB, arena {:.2f} MiB", batches[i],
                                measured[i], predicted[i], arena[i]));
  if (limit_bytes) plot.add_horizontal_rule(mib(*limit_bytes), fmt::format("memory limit {:.1f} MiB", mib(*limit_bytes)), "limit");
  for (const SweepRow& row : sweep)
    if (row.fastest)
      plot.add_text(static_cast<double>(row.measured.config.batch), mib(row.measured.measured_peak_bytes) + top * 0.05,
                    "fastest that fits", "legend", "middle");
  return plot.svg() +
         "<p class=\"legend\">Red: measured peak (VmHWM, one process per batch size); pink dashed: predicted; blue: "
         "planned arena; green bars: throughput (right axis).</p>\n";
}

std::string sweep_table(const std::vector<SweepRow>& sweep, std::optional<size_t> limit_bytes) {
  std::string html = "<table>\n" + row({"batch", "batching", "arena", "predicted", "measured", "gap", "samples/s", "fits"}, true);
  for (const SweepRow& r : sweep) {
    const ChildMeasurement& m = r.measured;
    if (!m.error.empty()) {
      html += row({std::to_string(m.config.batch), "failed: " + m.error, "", "", "", "", "", ""});
      continue;
    }
    const double gap = m.measured_peak_bytes
                           ? 100.0 * (static_cast<double>(m.predicted_peak_bytes) - m.measured_peak_bytes) / m.measured_peak_bytes
                           : 0.0;
    html += row({std::to_string(m.config.batch), m.batching, mib_text(m.arena_bytes), mib_text(m.predicted_peak_bytes),
                 mib_text(m.measured_peak_bytes), fmt::format("{:+.1f}%", gap), fmt::format("{:.1f}", m.samples_per_second),
                 limit_bytes ? (r.fastest ? "yes, fastest" : (r.fits ? "yes" : "no")) : "-"});
  }
  return html + "</table>\n";
}

std::string compare_section(const std::vector<CompareRow>& compare) {
  double top = 0;
  for (const CompareRow& r : compare) top = std::max(top, mib(r.measured.measured_peak_bytes));
  SvgPlot plot("chart-compare", {0, static_cast<double>(compare.size()), "configuration", false, false},
               {0, std::max(top * 1.15, 0.001), "measured peak (MiB)"}, 960, 260);
  std::string html = "<table>\n" + row({"configuration", "arena", "peak", "RssAnon", "RssFile", "ms/run", "saves", "time x"}, true);
  for (size_t i = 0; i < compare.size(); ++i) {
    const CompareRow& r = compare[i];
    const ChildMeasurement& m = r.measured;
    if (!m.error.empty()) {
      html += row({r.strategy, "failed: " + m.error, "", "", "", "", "", ""});
      continue;
    }
    plot.add_path(plot.rectangle(i + 0.2, i + 0.8, 0, mib(m.measured_peak_bytes)), i == 0 ? "strategy base" : "strategy",
                  fmt::format("{}: peak {:.2f} MiB, arena {:.2f} MiB", r.strategy, mib(m.measured_peak_bytes), mib(m.arena_bytes)));
    plot.add_text(i + 0.5, mib(m.measured_peak_bytes) + top * 0.03, r.strategy, "legend", "middle");
    html += row({r.strategy, mib_text(m.arena_bytes), mib_text(m.measured_peak_bytes), mib_text(m.rss_anon_bytes),
                 mib_text(m.rss_file_bytes), fmt::format("{:.2f}", m.run_seconds_median * 1e3),
                 i == 0 ? "-" : fmt::format("{:+.2f} MiB", r.saved_bytes / kMiB), fmt::format("{:.2f}", r.time_ratio)});
  }
  return plot.svg() + html + "</table>\n<p>saves: how much higher the measured peak is with that strategy off.</p>\n";
}

std::string top_ops_table(const ProfileReport& report) {
  double total = 0;
  for (const StepProfile& step : report.steps) total += step.seconds;
  std::string html = "<table>\n" + row({"step", "node", "op", "kernel", "ms", "share"}, true);
  for (int s : slowest_steps(report, 10)) {
    const StepProfile& step = report.steps[s];
    html += row({std::to_string(s), step.info.node, step.info.op, step.info.kernel, fmt::format("{:.3f}", step.seconds * 1e3),
                 fmt::format("{:.1f}%", total > 0 ? 100.0 * step.seconds / total : 0.0)});
  }
  return html + "</table>\n";
}

std::string live_tensors_table(const ProfileReport& report) {
  std::string html = "<table>\n" + row({"tensor", "bytes", "offset", "steps"}, true);
  for (const LiveTensor& tensor : report.live_at_peak)
    html += row({tensor.name + (tensor.scratch ? " (scratch)" : ""), std::to_string(tensor.size_bytes),
                 std::to_string(tensor.offset), fmt::format("{}..{}", tensor.first_step, tensor.last_step)});
  return html + "</table>\n";
}

std::string steps_table(const ProfileReport& report) {
  std::string html = "<details><summary>All " + std::to_string(report.steps.size()) + " steps</summary>\n<table>\n" +
                     row({"step", "node", "op", "kernel", "ms", "output B", "live B", "scratch B"}, true);
  for (size_t s = 0; s < report.steps.size(); ++s) {
    const StepProfile& step = report.steps[s];
    html += row({std::to_string(s), step.info.node, step.info.op, step.info.kernel, fmt::format("{:.3f}", step.seconds * 1e3),
                 std::to_string(step.info.output_bytes), std::to_string(step.live_bytes),
                 std::to_string(step.info.scratch_bytes)});
  }
  return html + "</table>\n</details>\n";
}

}  // namespace

std::string profile_html(const ProfileReport& report, const std::vector<SweepRow>& sweep,
                         const std::vector<CompareRow>& compare, std::optional<size_t> limit_bytes) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>leanrt profile: " +
                     html_escape(report.model) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  html += "<h1>leanrt profile: " + html_escape(report.model) + "</h1>\n" + summary(report);
  html += "<div id=\"detail\">Hover a mark for its details.</div>\n";
  html += "<h2>Peak memory: predicted from the plan, measured (VmHWM)</h2>\n" + peak_table(report);
  html += "<h2>Resident memory by stage</h2>\n" + stages_table(report);
  html += "<h2>Live arena bytes across the op sequence</h2>\n" + live_chart(report);
  html += "<h2>Arena map: each tensor a rectangle, lifetime x offset</h2>\n" + arena_chart(report);
  html += "<p class=\"legend\">Blue: tensors; orange: scratch; red: live at the peak step.</p>\n";
  html += "<h2>Time per op</h2>\n" + time_chart(report);
  html += "<h2>Slowest ops</h2>\n" + top_ops_table(report);
  html += fmt::format("<h2>Tensors live at the peak step ({})</h2>\n", report.peak_step) + live_tensors_table(report);
  if (!sweep.empty()) html += "<h2>Batch sweep</h2>\n" + sweep_chart(sweep, limit_bytes) + sweep_table(sweep, limit_bytes);
  if (!compare.empty()) html += "<h2>Memory strategies</h2>\n" + compare_section(compare);
  html += "<h2>Per-op table</h2>\n" + steps_table(report);
  html += std::string("<script>") + kScript + "</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace leanrt::profile
