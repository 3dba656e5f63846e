// Flags every model-running subcommand shares: kernel choice, threads and
// which SavedModel MetaGraph/signature to load.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "leanrt/base/status.h"
#include "leanrt/import/load_model.h"
#include "leanrt/kernels/kernel.h"

namespace leanrt::cli {

struct EngineFlags {
  std::string kernels = "auto";
  int threads = 0;
  std::string tag = "serve";
  std::string signature = "serving_default";
  bool signature_given = false;
  int64_t max_loop_iterations = 1'000'000;
  size_t max_dynamic_bytes = size_t{1} << 30;
};

// Applies the limits that bound data-dependent work to compile options.
template <typename Options>
void apply_limits(const EngineFlags& flags, Options& options) {
  options.max_loop_iterations = flags.max_loop_iterations;
  options.max_dynamic_bytes = flags.max_dynamic_bytes;
}

// Parses "NAME=D0,D1,..." into a name and shape.
Expected<std::pair<std::string, Shape>> parse_input_shape(const std::string& text);

void add_engine_flags(CLI::App* command, EngineFlags& flags);
Expected<kernels::KernelOptions> kernel_options(const EngineFlags& flags);
importer::LoadOptions load_options(const EngineFlags& flags);

}  // namespace leanrt::cli
