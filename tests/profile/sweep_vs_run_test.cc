// `leanrt profile --sweep` measures each batch size in its own process; its
// measured peak must agree with what `leanrt run` reaches on the same model
// and batch size (the run summary's peak RSS, VmHWM of the run process)
// within 5%. Prints both tables.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <regex>

#include "leanrt/data/npy.h"
#include "profile/profile_cli.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

namespace fs = std::filesystem;

constexpr double kTolerance = 0.05;

// "peak RSS 135.4 MiB" from the run's summary line, in bytes; -1 if absent.
double run_peak_bytes(const std::string& summary) {
  static const std::regex peak(R"(peak RSS ([0-9.]+) MiB)");
  std::smatch match;
  return std::regex_search(summary, match, peak) ? std::stod(match[1]) * 1024.0 * 1024.0 : -1.0;
}

TEST(SweepVsRun, MeasuredPeaksAgreeWithinFivePercent) {
  auto corpus = corpus_dir();
  if (!corpus) GTEST_SKIP() << "corpus not found";
  // gear: a batched model whose arena grows from 14 MiB at batch 1 to 111
  // MiB at batch 8, so the two sizes differ by far more than the tolerance.
  const std::string model = *corpus + "/models/gear/gear.json";
  const std::vector<int> batches = {1, 8};
  const fs::path work = fs::temp_directory_path() / ("leanrt-sweep-test-" + std::to_string(::getpid()));
  fs::create_directories(work);

  std::string error;
  const auto profiled = profile_json({"profile", model, "--runs", "2", "--json", "--sweep", "1,8"}, error);
  ASSERT_TRUE(profiled.has_value()) << error;
  const auto& rows = (*profiled)["sweep"]["rows"];
  ASSERT_EQ(rows.size(), batches.size());

  std::printf("%6s %12s %12s %12s %8s   (MiB)\n", "batch", "sweep arena", "sweep peak", "run peak", "diff");
  std::mt19937 random(7);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (size_t i = 0; i < batches.size(); ++i) {
    const int batch = batches[i];
    ASSERT_TRUE(rows[i]["error"].is_null()) << rows[i]["error"];
    ASSERT_EQ(rows[i]["batch"].get<int>(), batch);
    // One batch of `batch` samples: the run compiles the same plan.
    std::vector<float> samples(static_cast<size_t>(batch) * 198 * 198 * 3);
    for (float& value : samples) value = unit(random);
    const std::string input = (work / ("input_" + std::to_string(batch) + ".npy")).string();
    ASSERT_TRUE(data::write_npy(input, DType::kF32, {batch, 198, 198, 3}, samples.data()).is_ok());
    const CliResult run = run_cli({"run", model, "--input", input, "--batch", std::to_string(batch), "--output-dir",
                                   (work / ("out_" + std::to_string(batch))).string(), "--overwrite"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const double run_peak = run_peak_bytes(run.err);
    ASSERT_GT(run_peak, 0) << "no peak RSS in the run summary: " << run.err;
    const double sweep_peak = rows[i]["measured_peak_bytes"].get<double>();
    const double diff = (sweep_peak - run_peak) / run_peak;
    std::printf("%6d %12.2f %12.2f %12.2f %+7.1f%%\n", batch, mib(rows[i]["arena_bytes"].get<double>()),
                mib(sweep_peak), mib(run_peak), 100 * diff);
    EXPECT_LE(std::fabs(diff), kTolerance) << "batch " << batch;
  }
  fs::remove_all(work);
}

}  // namespace
}  // namespace leanrt::testing
