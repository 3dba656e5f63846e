// The single-op conformance cases (../shared/corpus/ops): every op on its
// attribute and shape corners against TensorFlow-made references. Ops
// leanrt does not implement yet are reported as skipped, by name; a wrong
// result or any other error fails.
#include <gtest/gtest.h>

#include <map>

#include "support/corpus.h"

namespace leanrt::testing {
namespace {

TEST(OpCorpus, EveryCaseMatchesItsReference) {
  auto corpus = corpus_dir();
  auto manifest = load_manifest("ops/cases.json");
  if (!corpus || !manifest) {
    std::printf("op corpus: 0 passed, 0 failed, all skipped (no corpus)\n");
    GTEST_SKIP() << "corpus not found";
  }
  // Every case twice: with the fast kernels (and the fusion passes) and with
  // the reference kernels only; one summary line each.
  int failed = 0;
  for (const KernelChoiceName& kernels : kBothKernelChoices) {
    CaseTally tally;
    std::map<std::string, int> unsupported_ops;
    for (const auto& manifest_case : (*manifest)["cases"]) {
      const std::string name = manifest_case["name"];
      auto result = run_corpus_case(*corpus, manifest_case, "ops", kernels.choice);
      if (!result && result.status().code() == ErrorCode::kUnsupported) {
        ++unsupported_ops[manifest_case.value("op", "?")];
        std::printf("SKIP %s (%s): %s\n", name.c_str(), kernels.name, result.status().message().c_str());
        ++tally.skipped;
      } else if (!result) {
        tally.failures.push_back(name + ": " + result.status().message());
        ++tally.failed;
      } else if (!result->empty()) {
        tally.failures.push_back(name + ": " + *result);
        ++tally.failed;
      } else {
        ++tally.passed;
      }
    }
    std::string missing;
    for (const auto& [op, count] : unsupported_ops) missing += " " + op;
    if (!missing.empty()) std::printf("ops not supported yet (%s):%s\n", kernels.name, missing.c_str());
    tally.print(std::string("op corpus (") + kernels.name + ")");
    failed += tally.failed;
  }
  EXPECT_EQ(failed, 0);
}

}  // namespace
}  // namespace leanrt::testing
