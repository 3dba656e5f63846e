#include "commands/engine_flags.h"

namespace leanrt::cli {

void add_engine_flags(CLI::App* command, EngineFlags& flags) {
  command->add_option("--kernels", flags.kernels, "auto (fast paths where they win) or reference (the portable oracle)")
      ->capture_default_str();
  command->add_option("--threads", flags.threads, "worker threads for the kernels (0 = all cores)")->capture_default_str();
  command->add_option("--tag", flags.tag, "SavedModel MetaGraph tag")->capture_default_str();
  command->add_option("--signature", flags.signature,
                      "SavedModel signature (default serving_default, or the one holding the tensors named by "
                      "--input/--outputs)")
      ->capture_default_str()
      ->each([&flags](const std::string&) { flags.signature_given = true; });
}

Expected<kernels::KernelOptions> kernel_options(const EngineFlags& flags) {
  kernels::KernelOptions options;
  if (flags.kernels == "auto") options.choice = kernels::KernelChoice::kAuto;
  else if (flags.kernels == "reference") options.choice = kernels::KernelChoice::kReference;
  else return invalid_argument("--kernels \"{}\": expected auto or reference", flags.kernels);
  if (flags.threads < 0) return invalid_argument("--threads {}: expected 0 (all cores) or more", flags.threads);
  options.threads = flags.threads;
  return options;
}

importer::LoadOptions load_options(const EngineFlags& flags) {
  importer::LoadOptions options;
  options.tag = flags.tag;
  options.signature = flags.signature;
  options.signature_is_default = !flags.signature_given;
  return options;
}

}  // namespace leanrt::cli
