// Bad input gets one clear line naming the file, node or tensor with what
// was expected and what was found, a non-zero exit, and never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "leanrt/data/npy.h"
#include "leanrt/import/load_model.h"
#include "support/cli.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// A scratch copy of the bundled emotion example, plus a valid input.
class CliErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("leanrt-errors-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const fs::path example = fs::path(LEANRT_SOURCE_DIR) / "examples" / "emotion";
    fs::copy_file(example / "emotion.json", dir_ / "emotion.json");
    fs::copy_file(example / "emotion.bin", dir_ / "emotion.bin");
    std::vector<float> pixels(2 * 64 * 64, 0.5f);
    ASSERT_TRUE(data::write_npy((dir_ / "x.npy").string(), DType::kF32, {2, 64, 64, 1}, pixels.data()).is_ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliResult run(std::vector<std::string> extra) {
    std::vector<std::string> arguments{"run", (dir_ / "emotion.json").string()};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    arguments.push_back("--output-dir");
    arguments.push_back((dir_ / "out").string());
    return run_cli(arguments);
  }

  // The contract for every bad input: exit code 2, exactly one line on
  // stderr, containing each expected fragment; no output file written.
  void expect_clean_error(const CliResult& result, const std::vector<std::string>& fragments) {
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    for (const std::string& fragment : fragments) EXPECT_NE(result.err.find(fragment), std::string::npos) << "missing \"" << fragment << "\" in: " << result.err;
    EXPECT_FALSE(fs::exists(dir_ / "out" / "Identity.npy"));
  }

  fs::path dir_;
};

TEST_F(CliErrors, ValidRunWritesTheOutput) {
  CliResult result = run({"--input", "input_1=" + (dir_ / "x.npy").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto output = data::read_npy((dir_ / "out" / "Identity.npy").string());
  ASSERT_TRUE(output.has_value());
  EXPECT_EQ(output->shape, (Shape{2, 7}));
}

TEST_F(CliErrors, UnsupportedOpNamesNodeOpAndFile) {
  std::string json = read_file(dir_ / "emotion.json");
  const std::string node = "StatefulPartitionedCall/model_1/global_average_pooling2d_1/Mean";
  size_t at = json.find("\"name\":\"" + node + "\"");
  ASSERT_NE(at, std::string::npos);
  size_t op = json.find("\"op\":\"Mean\"", at);
  ASSERT_NE(op, std::string::npos);
  json.replace(op, 11, "\"op\":\"FancyReduce\"");
  write_file(dir_ / "emotion.json", json);
  expect_clean_error(run({"--input", "input_1=" + (dir_ / "x.npy").string()}),
                     {"emotion.json", node, "FancyReduce", "not supported"});
}

TEST_F(CliErrors, MissingShardIsNamed) {
  fs::remove(dir_ / "emotion.bin");
  expect_clean_error(run({"--input", "input_1=" + (dir_ / "x.npy").string()}), {"emotion.bin", "cannot open"});
}

TEST_F(CliErrors, ShortShardSaysBytesExpectedAndFound) {
  fs::resize_file(dir_ / "emotion.bin", 400000);
  expect_clean_error(run({"--input", "input_1=" + (dir_ / "x.npy").string()}),
                     {"emotion.bin (400000 bytes)", "needs bytes", "truncated"});
}

TEST_F(CliErrors, MalformedModelJson) {
  write_file(dir_ / "emotion.json", "{\"modelTopology\": {\"node\": [ {\"name\": ");
  expect_clean_error(run({"--input", "input_1=" + (dir_ / "x.npy").string()}), {"emotion.json", "malformed JSON"});
}

TEST_F(CliErrors, NodeReadingAMissingTensor) {
  std::string json = read_file(dir_ / "emotion.json");
  size_t at = json.find("\"input\":[\"input_1\"");
  ASSERT_NE(at, std::string::npos);
  json.replace(at, 18, "\"input\":[\"input_9\"");
  write_file(dir_ / "emotion.json", json);
  expect_clean_error(run({"--input", "input_1=" + (dir_ / "x.npy").string()}), {"emotion.json", "input_9", "no node"});
}

TEST_F(CliErrors, UnknownInputName) {
  expect_clean_error(run({"--input", "pixels=" + (dir_ / "x.npy").string()}),
                     {"unknown input \"pixels\"", "input_1 [-1, 64, 64, 1] float32"});
}

TEST_F(CliErrors, InputGivenTwice) {
  expect_clean_error(run({"--input", "input_1=" + (dir_ / "x.npy").string(), "--input",
                          "input_1=" + (dir_ / "x.npy").string()}),
                     {"input \"input_1\" is given twice"});
}

TEST_F(CliErrors, MissingInputOfATwoInputModel) {
  const std::string model = (fs::path(LEANRT_SOURCE_DIR) / "tests" / "data" / "add_two.json").string();
  std::vector<float> values(2 * 3, 1.0f);
  ASSERT_TRUE(data::write_npy((dir_ / "a.npy").string(), DType::kF32, {2, 3}, values.data()).is_ok());
  CliResult both = run_cli({"run", model, "--input", "a=" + (dir_ / "a.npy").string(), "--input",
                            "b=" + (dir_ / "a.npy").string(), "--output-dir", (dir_ / "sum").string()});
  ASSERT_EQ(both.exit_code, 0) << both.err;
  auto y = data::read_npy((dir_ / "sum" / "y.npy").string());
  ASSERT_TRUE(y.has_value());
  EXPECT_EQ(reinterpret_cast<const float*>(y->data)[5], 4.0f);  // (1 + 1) * 2
  expect_clean_error(run_cli({"run", model, "--input", "a=" + (dir_ / "a.npy").string(), "--output-dir",
                              (dir_ / "out").string()}),
                     {"add_two.json", "missing input \"b\" [-1, 3] float32"});
}

TEST_F(CliErrors, InputShapeMismatch) {
  std::vector<float> pixels(32 * 32, 0.5f);
  ASSERT_TRUE(data::write_npy((dir_ / "small.npy").string(), DType::kF32, {1, 32, 32, 1}, pixels.data()).is_ok());
  expect_clean_error(run({"--input", "input_1=" + (dir_ / "small.npy").string()}),
                     {"input \"input_1\"", "expected shape [-1, 64, 64, 1]", "found [1, 32, 32, 1]"});
}

// float64 and integer arrays are converted per batch now (see
// streaming_errors_test); a bool mask given for pixels does not convert.
TEST_F(CliErrors, InputDtypeMismatch) {
  std::vector<uint8_t> mask(64 * 64, 1);
  ASSERT_TRUE(data::write_npy((dir_ / "mask.npy").string(), DType::kBool, {1, 64, 64, 1}, mask.data()).is_ok());
  expect_clean_error(run({"--input", "input_1=" + (dir_ / "mask.npy").string()}),
                     {"mask.npy", "input \"input_1\"", "expected dtype float32, found bool"});
}

TEST_F(CliErrors, TruncatedAndForeignInputFiles) {
  std::string npy = read_file(dir_ / "x.npy");
  write_file(dir_ / "short.npy", npy.substr(0, npy.size() / 2));
  expect_clean_error(run({"--input", "input_1=" + (dir_ / "short.npy").string()}),
                     {"short.npy", "truncated .npy", "needs 32768 data bytes"});
  write_file(dir_ / "text.npy", "hello, I am not an array");
  expect_clean_error(run({"--input", "input_1=" + (dir_ / "text.npy").string()}), {"text.npy", "not an .npy file"});
}

TEST_F(CliErrors, UnknownOutputName) {
  expect_clean_error(run({"--input", "input_1=" + (dir_ / "x.npy").string(), "--outputs", "Nope"}),
                     {"unknown output \"Nope\"", "Identity"});
}

TEST_F(CliErrors, ExistingOutputIsNotClobbered) {
  fs::create_directories(dir_ / "out");
  write_file(dir_ / "out" / "Identity.npy", "precious");
  CliResult result = run({"--input", "input_1=" + (dir_ / "x.npy").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("already exists"), std::string::npos) << result.err;
  EXPECT_EQ(read_file(dir_ / "out" / "Identity.npy"), "precious");
}

TEST_F(CliErrors, UnwritableOutputDirectory) {
  write_file(dir_ / "blocker", "a file where the directory should be");
  std::vector<std::string> arguments{"run", (dir_ / "emotion.json").string(), "--input",
                                     "input_1=" + (dir_ / "x.npy").string(), "--output-dir",
                                     (dir_ / "blocker" / "out").string()};
  CliResult result = run_cli(arguments);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("output directory"), std::string::npos) << result.err;
}

// Every corpus TF.js model.json and weight shard cut short at several
// offsets must load with a clean error naming the file, never a crash.
TEST(TruncatedModels, EveryCorpusModelFailsCleanly) {
  auto corpus = corpus_dir();
  auto manifest = load_manifest("cases.json");
  if (!corpus || !manifest) GTEST_SKIP() << "corpus not found";
  const fs::path scratch = fs::temp_directory_path() / ("leanrt-truncated-" + std::to_string(::getpid()));
  int attempts = 0;
  for (const auto& manifest_case : (*manifest)["cases"]) {
    if (manifest_case["format"] != "tfjs-graph") continue;
    const fs::path model = fs::path(*corpus) / manifest_case["model"].get<std::string>();
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(model.parent_path())) files.push_back(entry.path());
    for (const fs::path& file : files) {
      const std::string bytes = read_file(file);
      for (double fraction : {0.0, 0.01, 0.3, 0.5, 0.9, 0.999}) {
        const size_t cut = static_cast<size_t>(static_cast<double>(bytes.size()) * fraction);
        fs::remove_all(scratch);
        fs::create_directories(scratch);
        for (const fs::path& other : files) fs::copy_file(other, scratch / other.filename());
        write_file(scratch / file.filename(), bytes.substr(0, cut));
        auto graph = importer::load_model((scratch / model.filename()).string(), {});
        ++attempts;
        ASSERT_FALSE(graph.has_value()) << file << " cut at " << cut << " loaded";
        const std::string message = graph.status().message();
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        EXPECT_NE(message.find(file.filename().string()), std::string::npos)
            << "error for " << file.filename() << " cut at " << cut << " does not name it: " << message;
      }
    }
  }
  fs::remove_all(scratch);
  std::printf("%d truncated model files, each rejected with one line naming it\n", attempts);
  EXPECT_GT(attempts, 250);
}

}  // namespace
}  // namespace leanrt::testing
