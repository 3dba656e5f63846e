// `leanrt run` as a long job: a SIGKILL mid-run leaves nothing at the final
// path and --resume then writes output byte-identical to an uninterrupted
// run; SIGINT/SIGTERM stop after the batch in flight with valid partial
// files; the summary line, table formats and --help tell the truth.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "data/dataset_files.h"
#include "leanrt/data/npy.h"
#include "leanrt/data/run_state.h"
#include "support/cli.h"

extern char** environ;

namespace leanrt::testing {
namespace {

// add_two over enough samples at a small batch that a run lasts long enough
// to be interrupted (thousands of batches).
constexpr int64_t kSamples = 200003;
constexpr int64_t kBatch = 7;

class LongRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir("long-run");
    const std::vector<float> a = pattern(kSamples * 3, 1), b = pattern(kSamples * 3, 2);
    ASSERT_TRUE(data::write_npy(file("a.npy"), DType::kF32, {kSamples, 3}, a.data()).is_ok());
    ASSERT_TRUE(data::write_npy(file("b.npy"), DType::kF32, {kSamples, 3}, b.data()).is_ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  std::vector<std::string> arguments(const std::string& out, std::vector<std::string> extra = {}) const {
    std::vector<std::string> list{"run",      source_path("tests/data/add_two.json"),
                                  "--input",  "a=" + file("a.npy"),
                                  "--input",  "b=" + file("b.npy"),
                                  "--batch",  std::to_string(kBatch),
                                  "--output-dir", file(out), "--threads", "1"};
    list.insert(list.end(), extra.begin(), extra.end());
    return list;
  }

  // Starts the CLI without waiting for it; its output goes to files in dir_.
  pid_t spawn(const std::vector<std::string>& list) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, file("spawned.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> storage{cli_path()};
    storage.insert(storage.end(), list.begin(), list.end());
    std::vector<char*> argv;
    for (std::string& argument : storage) argv.push_back(argument.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }

  // Waits until the run has committed some batches (its resume state
  // exists), then sends `signal_number`; returns the wait status.
  int interrupt_mid_run(pid_t pid, const std::string& out, int signal_number) {
    const std::string state = data::run_state_path(file(out));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(state) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a few more batches
    kill(pid, signal_number);
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
  }

  fs::path dir_;
};

TEST_F(LongRun, SigkillLeavesNothingAtTheFinalPathAndResumeIsByteIdentical) {
  CliResult whole = run_cli(arguments("whole"));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  const int status = interrupt_mid_run(spawn(arguments("killed")), "killed", SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  EXPECT_FALSE(fs::exists(dir_ / "killed" / "y.npy"));
  EXPECT_TRUE(fs::exists(dir_ / "killed" / "y.npy.partial"));

  CliResult resumed = run_cli(arguments("killed", {"--resume"}));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("(resumed after "), std::string::npos) << resumed.err;
  EXPECT_EQ(read_bytes(dir_ / "killed" / "y.npy"), read_bytes(dir_ / "whole" / "y.npy"));
  EXPECT_FALSE(fs::exists(dir_ / "killed" / "y.npy.partial"));
}

TEST_F(LongRun, SigkillThenResumeOfACsvTable) {
  CliResult whole = run_cli(arguments("whole", {"--format", "csv"}));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const int status = interrupt_mid_run(spawn(arguments("killed", {"--format", "csv"})), "killed", SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_FALSE(fs::exists(dir_ / "killed" / "predictions.csv"));
  CliResult resumed = run_cli(arguments("killed", {"--format", "csv", "--resume"}));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(read_bytes(dir_ / "killed" / "predictions.csv"), read_bytes(dir_ / "whole" / "predictions.csv"));
}

TEST_F(LongRun, SigintStopsAfterTheBatchInFlightWithValidPartialOutputs) {
  CliResult whole = run_cli(arguments("whole"));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  for (int signal_number : {SIGINT, SIGTERM}) {
    const std::string out = "stopped-" + std::to_string(signal_number);
    const int status = interrupt_mid_run(spawn(arguments(out)), out, signal_number);
    ASSERT_TRUE(WIFEXITED(status)) << "signal " << signal_number;
    EXPECT_EQ(WEXITSTATUS(status), 128 + signal_number);
    const std::string err = read_bytes(dir_ / "spawned.err");
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_NE(err.find("rerun with --resume"), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(dir_ / out / "y.npy"));
    auto partial = data::read_npy(file(out + "/y.npy.partial"));
    ASSERT_TRUE(partial.has_value()) << partial.status().message();
    EXPECT_GT(partial->shape[0], 0);
    EXPECT_EQ(partial->shape[0] % kBatch, 0) << "stopped mid-batch";

    CliResult resumed = run_cli(arguments(out, {"--resume"}));
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(read_bytes(dir_ / out / "y.npy"), read_bytes(dir_ / "whole" / "y.npy"));
  }
}

TEST(RunCli, SummaryIsOneLineAndNoProgressBarOffATerminal) {
  const fs::path dir = scratch_dir("summary");
  const std::vector<float> a = pattern(100 * 3);
  ASSERT_TRUE(data::write_npy((dir / "a.npy").string(), DType::kF32, {100, 3}, a.data()).is_ok());
  CliResult result = run_cli({"run", source_path("tests/data/add_two.json"), "--input", "a=" + (dir / "a.npy").string(),
                              "--input", "b=" + (dir / "a.npy").string(), "--batch", "32", "--output-dir",
                              (dir / "out").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(result.err.find('\r'), std::string::npos) << "progress bar drawn off a terminal";
  for (const char* fragment : {"100 samples in 4 batches of 32", "samples/s", "arena ", "peak RSS "})
    EXPECT_NE(result.err.find(fragment), std::string::npos) << fragment << " in " << result.err;
  fs::remove_all(dir);
}

TEST(RunCli, HelpListsTheStreamingFlags) {
  CliResult run_help = run_cli({"run", "--help"});
  ASSERT_EQ(run_help.exit_code, 0);
  for (const char* flag : {"--input", "--batch", "--format", "--top-k", "--resume", "--overwrite", "--mean",
                           "--scale", "--threads", "--output-dir", ".npz", "JPEG/PNG"})
    EXPECT_NE(run_help.out.find(flag), std::string::npos) << flag;
  CliResult help = run_cli({"--help"});
  ASSERT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("run"), std::string::npos);
}

}  // namespace
}  // namespace leanrt::testing
