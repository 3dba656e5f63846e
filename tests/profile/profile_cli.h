// Shared by the profile tests: runs `leanrt profile` (or `leanrt run`) in a
// child process and reads what it printed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cli.h"

namespace leanrt::testing {

// `--input NAME=PATH` for every input of a corpus case (paths made absolute).
inline std::vector<std::string> corpus_input_flags(const std::string& corpus, const nlohmann::json& manifest_case) {
  std::vector<std::string> flags;
  for (const auto& [name, path] : manifest_case["inputs"].items())
    flags.insert(flags.end(), {"--input", name + "=" + corpus + "/" + path.get<std::string>()});
  return flags;
}

// The JSON report a `leanrt profile ... --json` child printed, or nullopt
// (the child's stderr is then in `error`).
inline std::optional<nlohmann::json> profile_json(const std::vector<std::string>& arguments, std::string& error) {
  const CliResult result = run_cli(arguments);
  if (result.exit_code != 0) {
    error = "exit " + std::to_string(result.exit_code) + ": " + result.err.substr(0, 400);
    return std::nullopt;
  }
  auto json = nlohmann::json::parse(result.out, nullptr, false);
  if (json.is_discarded()) {
    error = "not JSON: " + result.out.substr(0, 200);
    return std::nullopt;
  }
  return json;
}

inline double mib(double bytes) { return bytes / (1024.0 * 1024.0); }

}  // namespace leanrt::testing
