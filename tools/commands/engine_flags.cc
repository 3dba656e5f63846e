#include "commands/engine_flags.h"

#include <cstdlib>

namespace leanrt::cli {

void add_engine_flags(CLI::App* command, EngineFlags& flags) {
  command->add_option("--kernels", flags.kernels, "auto (fast paths where they win) or reference (the portable oracle)")
      ->capture_default_str();
  command->add_option("--threads", flags.threads, "worker threads for the kernels (0 = all cores); runs measure themselves and use one thread while that is faster (cores busy with other processes)")->capture_default_str();
  command->add_option("--tag", flags.tag, "SavedModel MetaGraph tag")->capture_default_str();
  command->add_option("--max-loop-iterations", flags.max_loop_iterations,
                      "stop a While loop running longer with an error")
      ->capture_default_str();
  command->add_option("--max-dynamic-bytes", flags.max_dynamic_bytes,
                      "bytes the data-dependent (dynamic) steps may hold at once")
      ->capture_default_str();
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

Expected<std::pair<std::string, Shape>> parse_input_shape(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    return invalid_argument("--input-shape \"{}\": expected NAME=D0,D1,... (e.g. x=1,224,224,3)", text);
  Shape shape;
  size_t start = equals + 1;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string dim = text.substr(start, comma - start);
    char* end = nullptr;
    const long long value = std::strtoll(dim.c_str(), &end, 10);
    if (dim.empty() || *end != '\0' || value < 0)
      return invalid_argument("--input-shape \"{}\": \"{}\" is not a size", text, dim);
    shape.push_back(value);
    start = comma + 1;
  }
  return std::make_pair(text.substr(0, equals), shape);
}

importer::LoadOptions load_options(const EngineFlags& flags) {
  importer::LoadOptions options;
  options.tag = flags.tag;
  options.signature = flags.signature;
  options.signature_is_default = !flags.signature_given;
  return options;
}

}  // namespace leanrt::cli
