// Peak memory of a whole `leanrt run` process stays within the plan's bound
// however large the dataset: a 400 MiB .npy through the corpus liveness
// model at batch 32 peaks at most weights + arena + 3 input batches + 3
// output batches + 32 MiB, and within 8 MiB of a 40 MiB run. (The 4 GiB
// version is bench/streaming_memory.sh.) Peak = the child's VmHWM, as
// getrusage reports it (ru_maxrss), file-backed pages included.
#include <gtest/gtest.h>

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "data/dataset_files.h"
#include "leanrt/data/file_io.h"
#include "leanrt/data/npy.h"
#include "leanrt/engine/engine.h"
#include "support/cli.h"
#include "support/corpus.h"

extern char** environ;

namespace leanrt::testing {
namespace {

constexpr int64_t kBatch = 32;
const Shape kSample = {32, 32, 3};  // liveness input [N, 32, 32, 3] float32
constexpr size_t kSampleBytes = 32 * 32 * 3 * sizeof(float);
constexpr size_t kOutputRowBytes = 2 * sizeof(float);  // Identity [N, 2]
constexpr size_t kMiB = size_t{1} << 20;

// Writes an .npy of `samples` liveness inputs a MiB at a time, so the test
// process itself stays small.
void write_dataset(const std::string& path, int64_t samples) {
  Shape shape{samples};
  shape.insert(shape.end(), kSample.begin(), kSample.end());
  auto fd = data::open_for_writing(path, /*truncate=*/true);
  ASSERT_TRUE(fd.has_value());
  const std::string header = data::npy_header(DType::kF32, shape);
  ASSERT_TRUE(data::write_all(fd->get(), header.data(), header.size(), path).is_ok());
  const std::vector<float> chunk = pattern(static_cast<int64_t>(kMiB / sizeof(float)));
  for (size_t left = samples * kSampleBytes; left > 0;) {
    const size_t bytes = std::min(left, kMiB);
    ASSERT_TRUE(data::write_all(fd->get(), chunk.data(), bytes, path).is_ok());
    left -= bytes;
  }
}

// Runs the CLI and returns its peak RSS in bytes (0 if it failed).
size_t peak_rss_of_run(const std::vector<std::string>& arguments) {
  std::vector<std::string> storage{cli_path()};
  storage.insert(storage.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : storage) argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return 0;
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 0;
  return static_cast<size_t>(usage.ru_maxrss) * 1024;
}

TEST(StreamingMemory, PeakRssStaysWithinThePlanWhateverTheDatasetSize) {
  auto corpus = corpus_dir();
  if (!corpus) GTEST_SKIP() << "corpus not found";
  const std::string model = *corpus + "/models/liveness/liveness.json";
  const fs::path dir = scratch_dir("memory");

  engine::InspectOptions inspect;
  inspect.batch = kBatch;
  auto report = engine::inspect_model(model, inspect);
  ASSERT_TRUE(report.has_value()) << report.status().message();
  const size_t bound = report->weights_bytes + report->arena_bytes + 3 * kBatch * kSampleBytes +
                       3 * kBatch * kOutputRowBytes + 32 * kMiB;

  size_t peaks[2] = {0, 0};
  const size_t sizes_mib[2] = {40, 400};
  const char* const names[2] = {"small", "large"};
  for (int i = 0; i < 2; ++i) {
    const std::string input = (dir / fmt::format("{}.npy", names[i])).string();
    write_dataset(input, static_cast<int64_t>(sizes_mib[i] * kMiB / kSampleBytes));
    // One thread: the bound is about memory, and a busy 2-core machine makes
    // OpenMP's barriers slow at small batches.
    peaks[i] = peak_rss_of_run({"run", model, "--input", input, "--batch", std::to_string(kBatch), "--threads", "1",
                                "--output-dir", (dir / fmt::format("out-{}", names[i])).string()});
    ASSERT_GT(peaks[i], 0u) << "leanrt run failed on the " << sizes_mib[i] << " MiB dataset";
    fs::remove(input);
  }
  std::printf("peak RSS: %.1f MiB over 40 MiB, %.1f MiB over 400 MiB; bound %.1f MiB (weights %.2f + arena %.2f + "
              "3 input batches %.2f + 3 output batches %.3f + 32)\n",
              peaks[0] / double(kMiB), peaks[1] / double(kMiB), bound / double(kMiB),
              report->weights_bytes / double(kMiB), report->arena_bytes / double(kMiB),
              3.0 * kBatch * kSampleBytes / kMiB, 3.0 * kBatch * kOutputRowBytes / kMiB);
  EXPECT_LE(peaks[1], bound);
  EXPECT_LE(peaks[1], peaks[0] + 8 * kMiB);
  EXPECT_LE(peaks[0], peaks[1] + 8 * kMiB);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace leanrt::testing
