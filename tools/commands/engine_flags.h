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
};

void add_engine_flags(CLI::App* command, EngineFlags& flags);
Expected<kernels::KernelOptions> kernel_options(const EngineFlags& flags);
importer::LoadOptions load_options(const EngineFlags& flags);

}  // namespace leanrt::cli
