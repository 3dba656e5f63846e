// Runs the leanrt CLI in a child process and captures what it printed.
#pragma once

#include <string>
#include <vector>

namespace leanrt::testing {

struct CliResult {
  int exit_code = -1;  // -signal when killed by a signal
  std::string out;
  std::string err;
};

CliResult run_cli(const std::vector<std::string>& arguments);
std::string cli_path();

}  // namespace leanrt::testing
