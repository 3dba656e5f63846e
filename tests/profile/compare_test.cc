// `leanrt profile --compare` on corpus models: each memory strategy switched
// off in turn (in-place reuse, arena sharing, weights mapped from the file),
// each configuration measured in its own process. Prints what each strategy
// saves (planned arena and measured peak) and checks what the plan
// guarantees: switching a strategy off never shrinks the planned arena, and
// arena sharing saves arena bytes on every model with more than one tensor.
// Measured peaks are printed, not asserted per strategy: a few hundred KiB
// of allocator noise is larger than some savings.
#include <gtest/gtest.h>

#include <cstdio>

#include "profile/profile_cli.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

struct CompareCase {
  const char* model;
  const char* kernels;
};

TEST(Compare, EachStrategySwitchedOffInTurn) {
  auto corpus = corpus_dir();
  if (!corpus) GTEST_SKIP() << "corpus not found";
  // Residual and branchy graphs (in-place reuse matters), a wide CNN, a
  // model with quantized weights, and the reference kernels (which read
  // weights in place from the mapped file, so mapping matters).
  const CompareCase cases[] = {{"blazeface", "auto"}, {"gear", "auto"},       {"mobilefacenet", "auto"},
                               {"nanodet", "auto"},   {"facemesh", "auto"},   {"age", "reference"}};
  std::printf("%-24s %-10s %-18s %10s %10s %10s %10s %12s %12s\n", "model", "kernels", "configuration", "arena",
              "peak", "RssAnon", "RssFile", "saves arena", "saves peak");
  int in_place_saving = 0, code_release_saving = 0, mapping_changes_split = 0;
  for (const CompareCase& c : cases) {
    std::string error;
    const auto json = profile_json({"profile", *corpus + "/models/" + c.model + "/" + c.model + ".json", "--json",
                                    "--compare", "--runs", "1", "--warmup", "0", "--kernels", c.kernels},
                                   error);
    ASSERT_TRUE(json.has_value()) << c.model << ": " << error;
    const auto& rows = (*json)["compare"];
    ASSERT_EQ(rows.size(), 5u) << c.model;
    const double base_arena = rows[0]["arena_bytes"].get<double>();
    for (const auto& row : rows) {
      ASSERT_TRUE(row["error"].is_null()) << c.model << " " << row["strategy"] << ": " << row["error"];
      const std::string strategy = row["strategy"];
      std::printf("%-24s %-10s %-18s %10.2f %10.2f %10.2f %10.2f %+12.2f %+12.2f\n", c.model, c.kernels,
                  strategy.c_str(), mib(row["arena_bytes"].get<double>()), mib(row["measured_peak_bytes"].get<double>()),
                  mib(row["rss_anon_bytes"].get<double>()), mib(row["rss_file_bytes"].get<double>()),
                  mib(row["saved_arena_bytes"].get<double>()), mib(row["saved_bytes"].get<double>()));
      EXPECT_GE(row["arena_bytes"].get<double>(), base_arena) << c.model << ": " << strategy << " shrank the arena";
      if (strategy == "no arena sharing") {
        EXPECT_GT(row["saved_arena_bytes"].get<double>(), 0) << c.model << ": arena sharing saved nothing";
      }
      if (strategy == "no in-place" && row["saved_arena_bytes"].get<double>() > 0) ++in_place_saving;
      if (strategy == "code pages kept" && row["saved_bytes"].get<double>() > 1024 * 1024) ++code_release_saving;
      if (strategy == "weights copied" && row["weights_mapped_bytes"].get<double>() == 0 &&
          rows[0]["weights_mapped_bytes"].get<double>() > 0)
        ++mapping_changes_split;
    }
  }
  std::printf("saves: the configuration's value minus the all-on value (MiB), i.e. what the strategy saves\n");
  EXPECT_GE(in_place_saving, 3) << "in-place reuse should shrink the arena of the residual models";
  EXPECT_GE(mapping_changes_split, 1) << "copying weights should leave no mapped weights where some were mapped";
  EXPECT_GE(code_release_saving, 1) << "releasing code pages after compile should lower some peak by over 1 MiB";
}

}  // namespace
}  // namespace leanrt::testing
