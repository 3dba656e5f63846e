// `leanrt inspect` on every control-flow-free TF.js corpus model at batch 1
// and 32: the planned arena stays within 1.10x its lower bound. Prints the
// table the closing notes quote.
#include <gtest/gtest.h>

#include "leanrt/engine/engine.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

TEST(InspectArena, WithinTenPercentOfTheLowerBound) {
  auto corpus = corpus_dir();
  auto manifest = load_manifest("cases.json");
  if (!corpus || !manifest) GTEST_SKIP() << "corpus not found";
  int checked = 0;
  std::printf("%-26s %6s %14s %14s %7s\n", "model", "batch", "arena", "lower bound", "ratio");
  for (const auto& manifest_case : (*manifest)["cases"]) {
    if (manifest_case["format"] != "tfjs-graph" || !manifest_case["control_flow_ops"].empty()) continue;
    for (int64_t batch : {1, 32}) {
      engine::InspectOptions options;
      options.batch = batch;
      auto report = engine::inspect_model(*corpus + "/" + manifest_case["model"].get<std::string>(), options);
      ASSERT_TRUE(report.has_value()) << report.status().message();
      const double ratio = static_cast<double>(report->arena_bytes) / static_cast<double>(report->arena_bytes_lower_bound);
      std::printf("%-26s %6lld %14zu %14zu %7.3f\n", manifest_case["name"].get<std::string>().c_str(),
                  static_cast<long long>(batch), report->arena_bytes, report->arena_bytes_lower_bound, ratio);
      EXPECT_LE(ratio, 1.10) << manifest_case["name"] << " at batch " << batch;
      EXPECT_GT(report->arena_bytes_lower_bound, 0u);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 48);
}

}  // namespace
}  // namespace leanrt::testing
