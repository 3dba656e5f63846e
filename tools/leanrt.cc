// The leanrt command line: flags in, library calls out.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "leanrt/engine/engine.h"

namespace {

int fail(const leanrt::Status& status) {
  std::fprintf(stderr, "leanrt: error: %s\n", status.message().c_str());
  return status.code() == leanrt::ErrorCode::kInternal ? 3 : 2;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "leanrt: run TensorFlow models on the CPU from a static memory plan.\n"
      "MODEL is a path: a TF.js model.json (others are detected and named when not yet supported)."};
  app.require_subcommand(1);

  std::string model;
  leanrt::engine::InspectOptions inspect_options;
  bool json = false;
  std::string inspect_outputs;
  CLI::App* inspect = app.add_subcommand("inspect", "Inputs, outputs, op histogram, weights and planned arena bytes.");
  inspect->add_option("MODEL", model, "model file or directory")->required();
  inspect->add_option("--batch", inspect_options.batch, "bind unknown (-1) input dims to this size")->capture_default_str();
  inspect->add_option("--outputs", inspect_outputs, "comma-separated tensor names to plan for (default: declared outputs)");
  inspect->add_flag("--json", json, "print JSON (keys: inputs, outputs, ops, weights_bytes, arena_bytes, "
                                    "arena_bytes_lower_bound, ...)");

  leanrt::engine::RunRequest run_request;
  std::vector<std::string> run_inputs;
  std::string run_outputs;
  CLI::App* run = app.add_subcommand("run", "Run the model on .npy inputs and write one .npy per output.");
  run->add_option("MODEL", run_request.model, "model file or directory")->required();
  run->add_option("--input", run_inputs, "NAME=FILE.npy for each model input (a bare FILE for a single-input model); "
                                         "the leading dim is the batch")
      ->required();
  run->add_option("--outputs", run_outputs, "comma-separated output tensor names (default: the model's declared outputs)");
  run->add_option("--output-dir", run_request.output_dir,
                  "directory for DIR/<name>.npy, name = tensor name with chars outside [A-Za-z0-9._-] as '_'")
      ->required();
  run->add_flag("--overwrite", run_request.overwrite, "replace existing output files");

  CLI11_PARSE(app, argc, argv);

  if (*inspect) {
    inspect_options.outputs = split_list(inspect_outputs);
    auto report = leanrt::engine::inspect_model(model, inspect_options);
    if (!report) return fail(report.status());
    if (json) std::printf("%s\n", leanrt::engine::report_json(*report).dump(2).c_str());
    else std::printf("%s", leanrt::engine::report_text(*report).c_str());
    return 0;
  }
  if (*run) {
    for (const std::string& input : run_inputs) {
      auto equals = input.find('=');
      if (equals == std::string::npos) run_request.inputs.emplace_back("", input);
      else run_request.inputs.emplace_back(input.substr(0, equals), input.substr(equals + 1));
    }
    run_request.outputs = split_list(run_outputs);
    auto summary = leanrt::engine::run_model(run_request);
    if (!summary) return fail(summary.status());
    std::fprintf(stderr, "leanrt: %lld samples, %zu outputs written to %s, arena %zu bytes, weights %zu bytes, peak RSS %.1f MiB\n",
                 static_cast<long long>(summary->samples), summary->written.size(), run_request.output_dir.c_str(),
                 summary->arena_bytes, summary->weights_bytes, summary->peak_rss_bytes / 1048576.0);
    return 0;
  }
  return 0;
}
