// leanrt inspect MODEL [--batch N] [--outputs A,B] [--json]
#include <cstdio>
#include <memory>

#include "commands/commands.h"
#include "commands/engine_flags.h"
#include "leanrt/engine/engine.h"

namespace leanrt::cli {

Command add_inspect_command(CLI::App& app) {
  struct Flags {
    std::string model;
    engine::InspectOptions options;
    std::string outputs;
    bool json = false;
    std::vector<std::string> input_shapes;
    EngineFlags engine;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand("inspect", "Inputs, outputs, op histogram, weights and planned arena bytes.");
  command->add_option("MODEL", flags->model, "model file or directory")->required();
  command->add_option("--batch", flags->options.batch, "bind unknown (-1) input dims to this size")->capture_default_str();
  command->add_option("--outputs", flags->outputs, "comma-separated tensor names to plan for (default: declared outputs)");
  command->add_option("--input-shape", flags->input_shapes,
                      "NAME=D0,D1,... for inputs the model declares without a shape (repeatable)");
  command->add_flag("--json", flags->json,
                    "print JSON (keys: inputs, outputs, ops, weights_bytes, arena_bytes, arena_bytes_lower_bound, ...)");
  add_engine_flags(command, flags->engine);
  return {command, [flags]() {
            flags->options.outputs = split_list(flags->outputs);
            auto kernels = kernel_options(flags->engine);
            if (!kernels) return report_error(kernels.status());
            flags->options.kernels = *kernels;
            flags->options.load = load_options(flags->engine);
            apply_limits(flags->engine, flags->options);
            for (const std::string& text : flags->input_shapes) {
              auto parsed = parse_input_shape(text);
              if (!parsed) return report_error(parsed.status());
              flags->options.input_shapes[parsed->first] = parsed->second;
            }
            auto report = engine::inspect_model(flags->model, flags->options);
            if (!report) return report_error(report.status());
            if (flags->json) std::printf("%s\n", engine::report_json(*report).dump(2).c_str());
            else std::printf("%s", engine::report_text(*report).c_str());
            return 0;
          }};
}

}  // namespace leanrt::cli
