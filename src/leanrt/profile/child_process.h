// Runs a program in a child process and captures its output: how profile
// measures one configuration per process, so that each VmHWM is its own.
//
//   LEANRT_ASSIGN_OR_RETURN(ChildOutput out, run_child({"/proc/self/exe", "profile", "m.json", "--json"}));
#pragma once

#include <string>
#include <vector>

#include "leanrt/base/status.h"

namespace leanrt::profile {

struct ChildOutput {
  int exit_code = -1;  // -signal when killed by a signal
  std::string out;     // stdout
  std::string err;     // stderr
};

// argv[0] is the program's path. Fails only when the child cannot be
// started; a child that fails is reported through exit_code and err.
Expected<ChildOutput> run_child(const std::vector<std::string>& argv);

// The path of the running binary (/proc/self/exe resolved), for re-running
// it in a child.
std::string self_executable();

}  // namespace leanrt::profile
