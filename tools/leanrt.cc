// The leanrt command line: flags in, library calls out. Each subcommand is
// in tools/commands/<name>.cc.
#include <CLI/CLI.hpp>

#include <vector>

#include "commands/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "leanrt: run TensorFlow models on the CPU from a static memory plan.\n"
      "MODEL is a path; its format is detected: TF.js model.json, frozen GraphDef .pb/.pbtxt, SavedModel\n"
      "directory, TF1 checkpoint .meta, TFLite .tflite."};
  app.require_subcommand(1);
  std::vector<leanrt::cli::Command> commands = {
      leanrt::cli::add_inspect_command(app),
      leanrt::cli::add_run_command(app),
      leanrt::cli::add_profile_command(app),
  };
  CLI11_PARSE(app, argc, argv);
  for (const auto& command : commands)
    if (command.app->parsed()) return command.action();
  return 0;
}
