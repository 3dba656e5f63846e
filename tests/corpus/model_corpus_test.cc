// Every developer-corpus model end to end against its TensorFlow-made
// reference, at the tolerance the manifest states. Prints
// "N passed, N failed, N skipped"; with no corpus every case is skipped.
#include <gtest/gtest.h>

#include "support/corpus.h"

namespace leanrt::testing {
namespace {

// Formats and features the engine runs today; other cases are reported as
// skipped, with the reason, never as passed.
std::string why_skipped(const nlohmann::json& manifest_case) {
  const std::string format = manifest_case.value("format", "");
  if (format != "tfjs-graph") return "format " + format + " is not supported yet";
  if (manifest_case.contains("control_flow_ops") && !manifest_case["control_flow_ops"].empty())
    return "control flow is not supported yet";
  return "";
}

TEST(ModelCorpus, EveryCaseMatchesItsReference) {
  auto corpus = corpus_dir();
  auto manifest = load_manifest("cases.json");
  if (!corpus || !manifest) {
    std::printf("model corpus: 0 passed, 0 failed, all skipped (no corpus at ../shared/corpus or $LEANRT_CORPUS)\n");
    GTEST_SKIP() << "corpus not found";
  }
  CaseTally tally;
  for (const auto& manifest_case : (*manifest)["cases"]) {
    const std::string name = manifest_case["name"];
    if (std::string reason = why_skipped(manifest_case); !reason.empty()) {
      std::printf("SKIP %s: %s\n", name.c_str(), reason.c_str());
      ++tally.skipped;
      continue;
    }
    auto result = run_corpus_case(*corpus, manifest_case, ".");
    if (!result) {
      tally.failures.push_back(name + ": " + result.status().message());
      ++tally.failed;
    } else if (!result->empty()) {
      tally.failures.push_back(name + ": " + *result);
      ++tally.failed;
    } else {
      std::printf("PASS %s\n", name.c_str());
      ++tally.passed;
    }
  }
  tally.print("model corpus");
  EXPECT_EQ(tally.failed, 0);
}

}  // namespace
}  // namespace leanrt::testing
