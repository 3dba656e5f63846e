// leanrt run MODEL --input NAME=FILE.npy ... [--outputs A,B] --output-dir DIR
#include <cstdio>
#include <memory>

#include "commands/commands.h"
#include "commands/engine_flags.h"
#include "leanrt/engine/engine.h"

namespace leanrt::cli {

Command add_run_command(CLI::App& app) {
  struct Flags {
    engine::RunRequest request;
    std::vector<std::string> inputs;
    std::string outputs;
    EngineFlags engine;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand("run", "Run the model on .npy inputs and write one .npy per output.");
  command->add_option("MODEL", flags->request.model, "model file or directory")->required();
  command->add_option("--input", flags->inputs,
                      "NAME=FILE.npy for each model input (a bare FILE for a single-input model); the leading dim is "
                      "the batch")
      ->required();
  command->add_option("--outputs", flags->outputs,
                      "comma-separated output tensor names (default: the model's declared outputs)");
  command->add_option("--output-dir", flags->request.output_dir,
                      "directory for DIR/<name>.npy, name = tensor name with chars outside [A-Za-z0-9._-] as '_'")
      ->required();
  command->add_flag("--overwrite", flags->request.overwrite, "replace existing output files");
  add_engine_flags(command, flags->engine);
  return {command, [flags]() {
            engine::RunRequest& request = flags->request;
            auto kernels = kernel_options(flags->engine);
            if (!kernels) return report_error(kernels.status());
            request.kernels = *kernels;
            request.load = load_options(flags->engine);
            for (const std::string& input : flags->inputs) {
              auto equals = input.find('=');
              if (equals == std::string::npos) request.inputs.emplace_back("", input);
              else request.inputs.emplace_back(input.substr(0, equals), input.substr(equals + 1));
            }
            request.outputs = split_list(flags->outputs);
            auto summary = engine::run_model(request);
            if (!summary) return report_error(summary.status());
            std::fprintf(stderr,
                         "leanrt: %lld samples, %zu outputs written to %s, arena %zu bytes, weights %zu bytes, peak "
                         "RSS %.1f MiB\n",
                         static_cast<long long>(summary->samples), summary->written.size(), request.output_dir.c_str(),
                         summary->arena_bytes, summary->weights_bytes, summary->peak_rss_bytes / 1048576.0);
            return 0;
          }};
}

}  // namespace leanrt::cli
