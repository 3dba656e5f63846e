// Each `leanrt` subcommand lives in its own file and registers itself here:
// it adds its flags to the app and returns the action to run when chosen.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "leanrt/base/status.h"

namespace leanrt::cli {

using Action = std::function<int()>;

struct Command {
  CLI::App* app = nullptr;
  Action action;
};

Command add_inspect_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_profile_command(CLI::App& app);

// Prints "leanrt: error: <message>" on one line; returns the exit status
// (2 for bad input or unsupported models, 3 for internal errors).
int report_error(const Status& status);
std::vector<std::string> split_list(const std::string& text);

}  // namespace leanrt::cli
