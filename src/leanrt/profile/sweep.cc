#include "leanrt/profile/sweep.h"

#include <cmath>
#include <cstdlib>

#include "leanrt/profile/child_process.h"

namespace leanrt::profile {
namespace {

// The child prints its report as one JSON line; anything a library printed
// before it is skipped.
std::optional<nlohmann::json> last_json(const std::string& out) {
  size_t end = out.size();
  while (end > 0) {
    const size_t start = out.rfind('\n', end - 1);
    const size_t begin = start == std::string::npos ? 0 : start + 1;
    if (begin < end && out[begin] == '{') {
      auto json = nlohmann::json::parse(out.substr(begin, end - begin), nullptr, false);
      if (!json.is_discarded() && json.is_object()) return json;
    }
    if (start == std::string::npos) break;
    end = start;
  }
  return std::nullopt;
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.size() > 400 ? line.substr(0, 400) + "..." : line;
}

std::string mib(size_t bytes) { return fmt::format("{:.1f}", bytes / 1048576.0); }

}  // namespace

ChildMeasurement measure_in_child(const ChildConfig& config, const ChildCommand& command) {
  ChildMeasurement measured;
  measured.config = config;
  auto output = run_child(command(config));
  if (!output) {
    measured.error = output.status().message();
    return measured;
  }
  if (output->exit_code != 0) {
    measured.error = fmt::format("exit {}: {}", output->exit_code, first_line(output->err));
    return measured;
  }
  const auto json = last_json(output->out);
  if (!json) {
    measured.error = "the child printed no JSON report: " + first_line(output->out);
    return measured;
  }
  measured.batching = json->value("batching", "");
  measured.arena_bytes = json->value("arena_bytes", size_t{0});
  measured.predicted_peak_bytes = json->value("predicted_peak_bytes", size_t{0});
  measured.measured_peak_bytes = json->value("measured_peak_bytes", size_t{0});
  measured.rss_anon_bytes = json->value("rss_anon_bytes", size_t{0});
  measured.rss_file_bytes = json->value("rss_file_bytes", size_t{0});
  if (json->contains("predicted")) {
    measured.weights_mapped_bytes = (*json)["predicted"].value("weights_mapped_bytes", size_t{0});
    measured.weights_owned_bytes = (*json)["predicted"].value("weights_owned_bytes", size_t{0});
  }
  measured.run_seconds_median = json->value("run_seconds_median", 0.0);
  measured.samples_per_second = json->value("samples_per_second", 0.0);
  return measured;
}

std::vector<SweepRow> sweep_batches(const std::vector<int64_t>& batches, const ChildCommand& command) {
  std::vector<SweepRow> rows;
  for (int64_t batch : batches) rows.push_back({measure_in_child({batch, {}}, command)});
  return rows;
}

void mark_fastest_fitting(std::vector<SweepRow>& rows, std::optional<size_t> limit_bytes) {
  if (!limit_bytes) return;
  SweepRow* fastest = nullptr;
  for (SweepRow& row : rows) {
    row.fits = row.measured.error.empty() && row.measured.measured_peak_bytes <= *limit_bytes;
    if (row.fits && (fastest == nullptr || row.measured.samples_per_second > fastest->measured.samples_per_second))
      fastest = &row;
  }
  if (fastest != nullptr) fastest->fastest = true;
}

std::vector<CompareRow> compare_strategies(int64_t batch, const ChildCommand& command) {
  struct Variant {
    const char* name;
    MemoryStrategies strategies;
  };
  const Variant variants[] = {{"all on", {true, true, true, true}},
                              {"no in-place", {false, true, true, true}},
                              {"no arena sharing", {true, false, true, true}},
                              {"weights copied", {true, true, false, true}},
                              {"code pages kept", {true, true, true, false}}};
  std::vector<CompareRow> rows;
  for (const Variant& variant : variants)
    rows.push_back({variant.name, measure_in_child({batch, variant.strategies}, command)});
  const ChildMeasurement& base = rows[0].measured;
  for (CompareRow& row : rows) {
    if (!row.measured.error.empty() || !base.error.empty()) continue;
    row.saved_bytes = static_cast<long long>(row.measured.measured_peak_bytes) -
                      static_cast<long long>(base.measured_peak_bytes);
    row.saved_arena_bytes = static_cast<long long>(row.measured.arena_bytes) - static_cast<long long>(base.arena_bytes);
    row.time_ratio = base.run_seconds_median > 0 ? row.measured.run_seconds_median / base.run_seconds_median : 0;
  }
  return rows;
}

namespace {

nlohmann::json measurement_json(const ChildMeasurement& measured) {
  return {{"batch", measured.config.batch},
          {"batching", measured.batching},
          {"error", measured.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(measured.error)},
          {"arena_bytes", measured.arena_bytes},
          {"predicted_peak_bytes", measured.predicted_peak_bytes},
          {"measured_peak_bytes", measured.measured_peak_bytes},
          {"rss_anon_bytes", measured.rss_anon_bytes},
          {"rss_file_bytes", measured.rss_file_bytes},
          {"weights_mapped_bytes", measured.weights_mapped_bytes},
          {"weights_owned_bytes", measured.weights_owned_bytes},
          {"run_seconds_median", measured.run_seconds_median},
          {"samples_per_second", measured.samples_per_second}};
}

}  // namespace

nlohmann::json sweep_json(const std::vector<SweepRow>& rows, std::optional<size_t> limit_bytes) {
  nlohmann::json list = nlohmann::json::array();
  for (const SweepRow& row : rows) {
    nlohmann::json entry = measurement_json(row.measured);
    if (limit_bytes) {
      entry["fits"] = row.fits;
      entry["fastest_fitting"] = row.fastest;
    }
    list.push_back(entry);
  }
  return {{"memory_limit_bytes", limit_bytes ? nlohmann::json(*limit_bytes) : nlohmann::json(nullptr)}, {"rows", list}};
}

nlohmann::json compare_json(const std::vector<CompareRow>& rows) {
  nlohmann::json list = nlohmann::json::array();
  for (const CompareRow& row : rows) {
    nlohmann::json entry = measurement_json(row.measured);
    entry["strategy"] = row.strategy;
    entry["saved_bytes"] = row.saved_bytes;
    entry["saved_arena_bytes"] = row.saved_arena_bytes;
    entry["time_ratio"] = row.time_ratio;
    list.push_back(entry);
  }
  return list;
}

std::string sweep_text(const std::vector<SweepRow>& rows, std::optional<size_t> limit_bytes) {
  std::string text = "batch sweep (each batch size measured in its own process; MiB)\n";
  text += fmt::format("{:>6} {:>11} {:>11} {:>11} {:>7} {:>12}  {}\n", "batch", "arena", "predicted", "measured", "gap%",
                      "samples/s", limit_bytes ? fmt::format("fits {} MiB", mib(*limit_bytes)) : "");
  for (const SweepRow& row : rows) {
    const ChildMeasurement& m = row.measured;
    if (!m.error.empty()) {
      text += fmt::format("{:>6}  failed: {}\n", m.config.batch, m.error);
      continue;
    }
    const double gap = m.measured_peak_bytes > 0 ? 100.0 * (static_cast<double>(m.predicted_peak_bytes) -
                                                            static_cast<double>(m.measured_peak_bytes)) /
                                                       static_cast<double>(m.measured_peak_bytes)
                                                 : 0.0;
    std::string mark;
    if (limit_bytes) mark = row.fastest ? "yes  <- fastest that fits" : (row.fits ? "yes" : "no");
    if (m.batching != "batched") mark += (mark.empty() ? "" : "  ") + std::string("(") + m.batching + ")";
    text += fmt::format("{:>6} {:>11} {:>11} {:>11} {:>+7.1f} {:>12.1f}  {}\n", m.config.batch, mib(m.arena_bytes),
                        mib(m.predicted_peak_bytes), mib(m.measured_peak_bytes), gap, m.samples_per_second, mark);
  }
  if (limit_bytes && std::none_of(rows.begin(), rows.end(), [](const SweepRow& row) { return row.fastest; }))
    text += fmt::format("no batch size fits {} MiB\n", mib(*limit_bytes));
  return text;
}

std::string compare_text(const std::vector<CompareRow>& rows) {
  std::string text = "memory strategies (each configuration measured in its own process; MiB)\n";
  text += fmt::format("{:<18} {:>10} {:>10} {:>10} {:>10} {:>10} {:>12} {:>10}\n", "configuration", "arena",
                      "peak", "RssAnon", "RssFile", "ms/run", "saves (peak)", "time x");
  for (const CompareRow& row : rows) {
    const ChildMeasurement& m = row.measured;
    if (!m.error.empty()) {
      text += fmt::format("{:<18} failed: {}\n", row.strategy, m.error);
      continue;
    }
    text += fmt::format("{:<18} {:>10} {:>10} {:>10} {:>10} {:>10.2f} {:>12} {:>10.2f}\n", row.strategy,
                        mib(m.arena_bytes), mib(m.measured_peak_bytes), mib(m.rss_anon_bytes), mib(m.rss_file_bytes),
                        m.run_seconds_median * 1e3,
                        row.strategy == "all on" ? std::string("-") : fmt::format("{:+.2f}", row.saved_bytes / 1048576.0),
                        row.time_ratio);
  }
  text += "saves (peak): how much higher the measured peak is with that strategy off, i.e. what it saves\n";
  return text;
}

Expected<size_t> parse_bytes(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  std::string unit(end);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double scale = 0;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "K" || unit == "KB" || unit == "KIB") scale = 1024.0;
  else if (unit == "M" || unit == "MB" || unit == "MIB") scale = 1048576.0;
  else if (unit == "G" || unit == "GB" || unit == "GIB") scale = 1073741824.0;
  if (end == text.c_str() || scale == 0 || !(value > 0) || !std::isfinite(value))
    return invalid_argument("--memory-limit \"{}\": expected bytes, optionally with K, M or G (e.g. 512M, 1.5G)", text);
  return static_cast<size_t>(value * scale);
}

Expected<std::vector<int64_t>> parse_batches(const std::string& text) {
  std::vector<int64_t> batches;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(start, comma - start);
    char* end = nullptr;
    const long long batch = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || batch < 1)
      return invalid_argument("--sweep \"{}\": expected batch sizes >= 1 separated by commas, found \"{}\"", text, item);
    batches.push_back(batch);
    start = comma + 1;
  }
  return batches;
}

}  // namespace leanrt::profile
