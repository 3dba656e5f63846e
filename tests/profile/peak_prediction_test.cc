// The predicted peak (from the plan and the model as imported, before
// anything runs) against the measured VmHWM, on every corpus model at batch
// 1 and 32, each measured in its own `leanrt profile` process. Prints the
// table the closing notes quote and asserts every gap is within 10% of the
// measured peak.
//
// Batch 32 on a model whose leading input dim is fixed at 1 means 32
// samples one call at a time, as `leanrt run` streams it (the table's
// "batching" column says so); a model without a sample axis (a scalar
// input, a fixed [10, 10]) runs its inputs whole, once, at either size.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "profile/profile_cli.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

constexpr double kTolerance = 0.10;

TEST(PeakPrediction, WithinTenPercentOfMeasuredOnEveryCorpusModel) {
  auto corpus = corpus_dir();
  auto manifest = load_manifest("cases.json");
  if (!corpus || !manifest) GTEST_SKIP() << "corpus not found";
  CaseTally tally;
  double worst = 0;
  std::printf("%-30s %5s  %-14s %10s %10s %8s   (MiB; measured = VmHWM of a leanrt profile process)\n", "model",
              "batch", "batching", "predicted", "measured", "gap");
  for (const auto& manifest_case : (*manifest)["cases"]) {
    const std::string name = manifest_case["name"];
    for (int batch : {1, 32}) {
      std::vector<std::string> arguments = {"profile", *corpus + "/" + manifest_case["model"].get<std::string>(),
                                            "--child", "--json", "--batch", std::to_string(batch), "--runs", "1",
                                            "--warmup", "0"};
      for (const std::string& flag : corpus_input_flags(*corpus, manifest_case)) arguments.push_back(flag);
      std::string error;
      const auto json = profile_json(arguments, error);
      if (!json) {
        ++tally.failed;
        tally.failures.push_back(name + " batch " + std::to_string(batch) + ": " + error);
        continue;
      }
      const double predicted = (*json)["predicted_peak_bytes"].get<double>();
      const double measured = (*json)["measured_peak_bytes"].get<double>();
      const double gap = (predicted - measured) / measured;
      worst = std::max(worst, std::fabs(gap));
      std::string batching = (*json)["batching"];
      if (batching == "one at a time") batching = batch == 1 ? "1 call" : "32 calls of 1";
      std::printf("%-30s %5d  %-14s %10.2f %10.2f %+7.1f%%\n", name.c_str(), batch, batching.c_str(), mib(predicted),
                  mib(measured), 100 * gap);
      if (std::fabs(gap) <= kTolerance) {
        ++tally.passed;
      } else {
        ++tally.failed;
        tally.failures.push_back(fmt::format("{} batch {}: predicted {:.2f} MiB, measured {:.2f} MiB ({:+.1f}%)", name,
                                             batch, mib(predicted), mib(measured), 100 * gap));
      }
    }
  }
  std::printf("worst gap %.1f%% of the measured peak\n", 100 * worst);
  tally.print("predicted vs measured peak");
  EXPECT_EQ(tally.failed, 0);
  EXPECT_EQ(tally.passed, 2 * static_cast<int>((*manifest)["cases"].size()));
}

}  // namespace
}  // namespace leanrt::testing
