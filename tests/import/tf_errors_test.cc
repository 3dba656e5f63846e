// Bad TensorFlow models get one clear line naming the file, node or tensor
// with what was expected and what was found, exit status 2, and never a
// crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "import/tf_test_files.h"
#include "leanrt/import/load_model.h"
#include "support/cli.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

namespace fs = std::filesystem;

class TfCliErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("leanrt-tf-errors-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A writable copy of a corpus model folder; skips when there is no corpus.
  fs::path copy_corpus_model(const std::string& name) {
    auto corpus = corpus_dir();
    if (!corpus) return {};
    const fs::path target = dir_ / name;
    fs::copy(fs::path(*corpus) / "models" / name, target, fs::copy_options::recursive);
    for (const auto& entry : fs::recursive_directory_iterator(target))
      fs::permissions(entry.path(), fs::perms::owner_write, fs::perm_options::add);
    return target;
  }

  void expect_clean_error(const CliResult& result, const std::vector<std::string>& fragments) {
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    for (const std::string& fragment : fragments)
      EXPECT_NE(result.err.find(fragment), std::string::npos) << "missing \"" << fragment << "\" in: " << result.err;
  }

  fs::path dir_;
};

TEST_F(TfCliErrors, UnknownTagListsTheTagsThatExist) {
  const fs::path model = copy_corpus_model("tfs-half-plus-two-cpu");
  if (model.empty()) GTEST_SKIP() << "corpus not found";
  expect_clean_error(run_cli({"inspect", model.string(), "--tag", "gpu"}),
                     {"saved_model.pb", "no MetaGraph tagged \"gpu\"", "[serve]"});
}

TEST_F(TfCliErrors, UnknownSignatureListsTheSignaturesThatExist) {
  const fs::path model = copy_corpus_model("tfs-half-plus-two-cpu");
  if (model.empty()) GTEST_SKIP() << "corpus not found";
  expect_clean_error(run_cli({"inspect", model.string(), "--signature", "predict_all"}),
                     {"saved_model.pb", "no signature \"predict_all\"",
                      "its signatures are classify_x_to_y, regress_x2_to_y3, regress_x_to_y, regress_x_to_y2, "
                      "serving_default"});
}

TEST_F(TfCliErrors, VariableMissingFromTheIndex) {
  const fs::path model = dir_ / "matmul";
  write_matmul_saved_model(model.string(), 4, 3, 1.0f);
  // The same bundle without "w": only an unrelated variable.
  write_bundle((model / "variables" / "variables").string(), {{"v", tfproto::DT_FLOAT, {2}, std::string(8, '\0')}});
  expect_clean_error(run_cli({"inspect", model.string()}),
                     {"saved_model.pb", "variable \"w\" (VarHandleOp)", "checkpoint key \"w\" is missing from",
                      "variables.index (1 entries: v)"});
}

TEST_F(TfCliErrors, DataShardFailingItsChecksum) {
  const fs::path model = dir_ / "matmul";
  write_matmul_saved_model(model.string(), 4, 3, 1.0f);
  const std::string shard = (model / "variables" / "variables.data-00000-of-00001").string();
  std::string bytes = read_bytes(shard);
  bytes[5] ^= 0x40;
  write_bytes(shard, bytes);
  expect_clean_error(run_cli({"inspect", model.string()}),
                     {"variables.data-00000-of-00001", "tensor \"w\"", "fails its checksum", "expected crc32c",
                      "found"});
}

TEST_F(TfCliErrors, DataShardShorterThanTheIndexSays) {
  const fs::path model = dir_ / "matmul";
  write_matmul_saved_model(model.string(), 4, 3, 1.0f);
  fs::resize_file(model / "variables" / "variables.data-00000-of-00001", 20);
  expect_clean_error(run_cli({"inspect", model.string()}),
                     {"variables.data-00000-of-00001", "tensor \"w\" needs bytes [0, 48)", "the shard has 20 bytes"});
}

TEST_F(TfCliErrors, CorruptCorpusShard) {
  const fs::path model = copy_corpus_model("tfs-half-plus-two-cpu");
  if (model.empty()) GTEST_SKIP() << "corpus not found";
  const std::string shard = (model / "variables" / "variables.data-00000-of-00001").string();
  std::string bytes = read_bytes(shard);
  bytes[0] ^= 0x01;
  write_bytes(shard, bytes);
  expect_clean_error(run_cli({"inspect", model.string()}),
                     {"variables.data-00000-of-00001", "fails its checksum"});
}

// MatrixDeterminant is valid TensorFlow that leanrt has no kernel for.
TEST_F(TfCliErrors, OpLeanrtDoesNotSupportNamesNodeOpAndFile) {
  tfproto::GraphDef graph;
  *graph.add_node() = placeholder_node("x", {-1, 3, 3});
  *graph.add_node() = op_node("det", "MatrixDeterminant", {"x"});
  write_binary((dir_ / "model.pb").string(), graph);
  expect_clean_error(run_cli({"inspect", (dir_ / "model.pb").string()}),
                     {"model.pb", "node \"det\"", "MatrixDeterminant", "not supported by leanrt yet"});
}

TEST_F(TfCliErrors, MalformedTextGraphDefSaysWhere) {
  write_bytes((dir_ / "model.pbtxt").string(), "node {\n  name: \"x\"\n  op: \"Placeholder\"\n  attr { key: \n");
  expect_clean_error(run_cli({"inspect", (dir_ / "model.pbtxt").string()}),
                     {"model.pbtxt", "not a valid text-format GraphDef", "line 5"});
}

TEST_F(TfCliErrors, ANodeReadingAMissingTensor) {
  tfproto::GraphDef graph;
  *graph.add_node() = placeholder_node("x", {-1, 3});
  *graph.add_node() = op_node("y", "Relu", {"x_typo"});
  write_binary((dir_ / "model.pb").string(), graph);
  expect_clean_error(run_cli({"inspect", (dir_ / "model.pb").string()}), {"model.pb", "\"y\"", "x_typo", "no node"});
}

// The files the TensorFlow importers read, cut short at several offsets,
// load with one clean line naming the file: never a crash.
TEST(TfTruncatedModels, EveryTfCorpusModelFailsCleanly) {
  auto corpus = corpus_dir();
  auto manifest = load_manifest("cases.json");
  if (!corpus || !manifest) GTEST_SKIP() << "corpus not found";
  const fs::path scratch = fs::temp_directory_path() / ("leanrt-tf-truncated-" + std::to_string(::getpid()));
  int attempts = 0;
  std::set<std::string> done;
  for (const auto& manifest_case : (*manifest)["cases"]) {
    const std::string format = manifest_case["format"];
    if (format == "tfjs-graph") continue;
    const fs::path model = fs::path(*corpus) / manifest_case["model"].get<std::string>();
    const bool is_directory = fs::is_directory(model);
    const fs::path root = is_directory ? model : model.parent_path();
    if (!done.insert(root.string()).second) continue;
    // The files whose bytes the importers parse (a data shard is read only
    // where a variable lies, so cutting it need not fail).
    std::vector<fs::path> parsed;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      const std::string file = entry.path().filename().string();
      if (file.ends_with(".pb") && file != "keras_metadata.pb" && file != "fingerprint.pb") parsed.push_back(entry.path());
      if (file.ends_with(".pbtxt") || file.ends_with(".index") || file.ends_with(".meta") || file.ends_with(".tflite"))
        parsed.push_back(entry.path());
    }
    for (const fs::path& file : parsed) {
      const std::string bytes = read_bytes(file.string());
      for (double fraction : {0.0, 0.01, 0.3, 0.5, 0.9, 0.999}) {
        const size_t cut = static_cast<size_t>(static_cast<double>(bytes.size()) * fraction);
        fs::remove_all(scratch);
        fs::copy(root, scratch, fs::copy_options::recursive);
        const fs::path target = scratch / fs::relative(file, root);
        fs::permissions(target, fs::perms::owner_write, fs::perm_options::add);
        write_bytes(target.string(), bytes.substr(0, cut));
        const fs::path load_path = is_directory ? scratch : scratch / model.filename();
        auto graph = importer::load_model(load_path.string(), {});
        ++attempts;
        ASSERT_FALSE(graph.has_value()) << file << " cut at " << cut << " of " << bytes.size() << " loaded";
        const std::string message = graph.status().message();
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        EXPECT_NE(message.find(file.filename().string()), std::string::npos)
            << "error for " << file.filename() << " cut at " << cut << " does not name it: " << message;
      }
    }
  }
  fs::remove_all(scratch);
  std::printf("%d truncated TensorFlow model files, each rejected with one line naming it\n", attempts);
  EXPECT_GT(attempts, 100);
}

}  // namespace
}  // namespace leanrt::testing
