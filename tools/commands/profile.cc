// leanrt profile MODEL [--input NAME=FILE|SHAPE ...] [--batch N] [--runs R] [--json] [--html FILE]
//                      [--sweep 1,2,4,...] [--memory-limit BYTES] [--compare]
#include <cstdio>
#include <fstream>
#include <memory>

#include "commands/commands.h"
#include "commands/engine_flags.h"
#include "leanrt/profile/child_process.h"
#include "leanrt/profile/html_report.h"
#include "leanrt/profile/profiler.h"
#include "leanrt/profile/sweep.h"

namespace leanrt::cli {
namespace {

struct ProfileFlags {
  profile::ProfileRequest request;
  std::vector<std::string> inputs;
  std::string outputs;
  bool json = false;
  std::string html;
  std::string sweep;
  std::string memory_limit;
  bool compare = false;
  bool child = false;  // hidden: one configuration, JSON only (run by --sweep / --compare)
  bool no_in_place = false, no_arena_sharing = false, copy_weights = false, keep_code_pages = false;
  EngineFlags engine;
};

// The argv that re-runs this command for one configuration in a child: the
// same model, inputs and engine flags, plus the configuration's batch and
// strategies.
std::vector<std::string> child_argv(const ProfileFlags& flags, const profile::ChildConfig& config) {
  std::vector<std::string> argv = {profile::self_executable(), "profile", flags.request.model, "--child", "--json",
                                   "--batch", std::to_string(config.batch), "--runs",
                                   std::to_string(flags.request.runs), "--warmup", std::to_string(flags.request.warmup),
                                   "--kernels", flags.engine.kernels, "--threads", std::to_string(flags.engine.threads),
                                   "--tag", flags.engine.tag, "--max-loop-iterations",
                                   std::to_string(flags.engine.max_loop_iterations), "--max-dynamic-bytes",
                                   std::to_string(flags.engine.max_dynamic_bytes)};
  if (flags.engine.signature_given) argv.insert(argv.end(), {"--signature", flags.engine.signature});
  for (const std::string& input : flags.inputs) argv.insert(argv.end(), {"--input", input});
  if (!flags.outputs.empty()) argv.insert(argv.end(), {"--outputs", flags.outputs});
  if (!config.strategies.in_place) argv.push_back("--no-in-place");
  if (!config.strategies.share_arena) argv.push_back("--no-arena-sharing");
  if (!config.strategies.map_weights) argv.push_back("--copy-weights");
  if (!config.strategies.release_code) argv.push_back("--keep-code-pages");
  return argv;
}

Status build_request(ProfileFlags& flags) {
  LEANRT_ASSIGN_OR_RETURN(flags.request.kernels, kernel_options(flags.engine));
  flags.request.load = load_options(flags.engine);
  apply_limits(flags.engine, flags.request);
  for (const std::string& input : flags.inputs) {
    const auto equals = input.find('=');
    if (equals == std::string::npos) flags.request.inputs.emplace_back("", input);
    else flags.request.inputs.emplace_back(input.substr(0, equals), input.substr(equals + 1));
  }
  flags.request.outputs = split_list(flags.outputs);
  flags.request.strategies = {!flags.no_in_place, !flags.no_arena_sharing, !flags.copy_weights,
                              !flags.keep_code_pages};
  return Status::ok();
}

Status write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return io_error("{}: cannot write the HTML report", path);
  return Status::ok();
}

int run_profile(ProfileFlags& flags) {
  if (Status status = build_request(flags); !status.is_ok()) return report_error(status);
  std::optional<size_t> limit;
  if (!flags.memory_limit.empty()) {
    auto bytes = profile::parse_bytes(flags.memory_limit);
    if (!bytes) return report_error(bytes.status());
    limit = *bytes;
  }
  if (limit && flags.sweep.empty())
    return report_error(invalid_argument("--memory-limit {}: expected --sweep too (the limit picks among its batch sizes)",
                                         flags.memory_limit));
  std::vector<int64_t> batches;
  if (!flags.sweep.empty()) {
    auto parsed = profile::parse_batches(flags.sweep);
    if (!parsed) return report_error(parsed.status());
    batches = *parsed;
  }
  auto report = profile::profile_model(flags.request);
  if (!report) return report_error(report.status());
  if (flags.child) {
    std::printf("%s\n", profile::profile_json(*report).dump().c_str());
    return 0;
  }
  const profile::ChildCommand command = [&flags](const profile::ChildConfig& config) {
    return child_argv(flags, config);
  };
  std::vector<profile::SweepRow> sweep;
  if (!batches.empty()) {
    sweep = profile::sweep_batches(batches, command);
    profile::mark_fastest_fitting(sweep, limit);
  }
  std::vector<profile::CompareRow> compare;
  if (flags.compare) compare = profile::compare_strategies(flags.request.batch, command);
  if (!flags.html.empty()) {
    const std::string html = profile::profile_html(*report, sweep, compare, limit);
    if (Status status = write_file(flags.html, html); !status.is_ok()) return report_error(status);
  }
  if (flags.json) {
    nlohmann::json json = profile::profile_json(*report);
    if (!batches.empty()) json["sweep"] = profile::sweep_json(sweep, limit);
    if (flags.compare) json["compare"] = profile::compare_json(compare);
    std::printf("%s\n", json.dump(2).c_str());
  } else {
    std::string text = profile::profile_text(*report);
    if (!batches.empty()) text += "\n" + profile::sweep_text(sweep, limit);
    if (flags.compare) text += "\n" + profile::compare_text(compare);
    std::printf("%s", text.c_str());
  }
  return 0;
}

}  // namespace

Command add_profile_command(CLI::App& app) {
  auto flags = std::make_shared<ProfileFlags>();
  CLI::App* command = app.add_subcommand(
      "profile",
      "Where every byte and millisecond goes: per-op time and live bytes, predicted vs measured peak memory, "
      "batch sweeps and memory-strategy comparisons (each in its own process).");
  command->add_option("MODEL", flags->request.model, "model file or directory")->required();
  command->add_option("--input", flags->inputs,
                      "NAME=FILE (.npy/.npz; rows repeat to fill the batch) or NAME=d0,d1,... (random values of that "
                      "shape); default: random values of the declared shape");
  command->add_option("--batch", flags->request.batch, "samples per run (a model fixing its leading dim at 1 takes "
                                                       "them one call at a time)")
      ->capture_default_str();
  command->add_option("--runs", flags->request.runs, "timed runs; times are medians")->capture_default_str();
  command->add_option("--warmup", flags->request.warmup, "untimed runs first")->capture_default_str();
  command->add_option("--outputs", flags->outputs, "comma-separated tensor names (default: declared outputs)");
  command->add_flag("--json", flags->json, "print JSON instead of text");
  command->add_option("--html", flags->html, "write a self-contained HTML report with SVG charts to FILE");
  command->add_option("--sweep", flags->sweep,
                      "batch sizes, e.g. 1,2,4,8,16,32,64: arena, predicted and measured peak and throughput for "
                      "each, each measured in its own process");
  command->add_option("--memory-limit", flags->memory_limit,
                      "with --sweep: mark the fastest batch size whose measured peak fits (e.g. 512M, 2G)");
  command->add_flag("--compare", flags->compare,
                    "measure the model with each memory strategy switched off in turn (in-place reuse, arena "
                    "sharing, mapped weights, code pages released after compile), each in its own process");
  command->add_flag("--no-in-place", flags->no_in_place, "switch off in-place reuse (outputs over dying inputs)");
  command->add_flag("--no-arena-sharing", flags->no_arena_sharing, "give every tensor its own arena region");
  command->add_flag("--copy-weights", flags->copy_weights, "copy file-mapped weights to anonymous memory");
  command->add_flag("--keep-code-pages", flags->keep_code_pages,
                    "keep the code pages compile would release (importers, protobuf, oneDNN start-up)");
  command->add_flag("--child", flags->child, "one configuration, one JSON line (used by --sweep and --compare)")
      ->group("");  // hidden
  add_engine_flags(command, flags->engine);
  return {command, [flags]() { return run_profile(*flags); }};
}

}  // namespace leanrt::cli
