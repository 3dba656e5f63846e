// Every developer-corpus model end to end against its TensorFlow-made
// reference, at the tolerance the manifest states. Prints
// "N passed, N failed, N skipped"; with no corpus every case is skipped.
#include <gtest/gtest.h>

#include <set>

#include "support/corpus.h"

namespace leanrt::testing {
namespace {

// Formats and features the engine runs today; other cases are reported as
// skipped, with the reason, never as passed.
std::string why_skipped(const nlohmann::json& manifest_case) {
  const std::string format = manifest_case.value("format", "");
  static const std::set<std::string> supported = {"tfjs-graph",       "tf-frozen-graphdef", "tf-savedmodel-v1",
                                                  "tf-savedmodel-v2", "tf-checkpoint",      "tflite"};
  if (!supported.count(format)) return "format " + format + " is not supported yet";
  return "";
}

TEST(ModelCorpus, EveryCaseMatchesItsReference) {
  auto corpus = corpus_dir();
  auto manifest = load_manifest("cases.json");
  if (!corpus || !manifest) {
    std::printf("model corpus: 0 passed, 0 failed, all skipped (no corpus at ../shared/corpus or $LEANRT_CORPUS)\n");
    GTEST_SKIP() << "corpus not found";
  }
  // Every case twice: with the fast kernels (and the fusion passes) and with
  // the reference kernels only; one summary line each.
  int failed = 0;
  for (const KernelChoiceName& kernels : kBothKernelChoices) {
    CaseTally tally;
    for (const auto& manifest_case : (*manifest)["cases"]) {
      const std::string name = manifest_case["name"];
      if (std::string reason = why_skipped(manifest_case); !reason.empty()) {
        std::printf("SKIP %s (%s): %s\n", name.c_str(), kernels.name, reason.c_str());
        ++tally.skipped;
        continue;
      }
      auto result = run_corpus_case(*corpus, manifest_case, ".", kernels.choice);
      if (!result) {
        tally.failures.push_back(name + ": " + result.status().message());
        ++tally.failed;
      } else if (!result->empty()) {
        tally.failures.push_back(name + ": " + *result);
        ++tally.failed;
      } else {
        std::printf("PASS %s (%s)\n", name.c_str(), kernels.name);
        ++tally.passed;
      }
    }
    tally.print(std::string("model corpus (") + kernels.name + ")");
    failed += tally.failed;
  }
  EXPECT_EQ(failed, 0);
}

}  // namespace
}  // namespace leanrt::testing
