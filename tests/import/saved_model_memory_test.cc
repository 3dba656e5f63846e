// A SavedModel's variables are used in place from the mapped data shard:
// loading one grows anonymous memory (heap) by a small fraction of the
// variable bytes, the rest being file pages shared with the page cache.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "import/tf_test_files.h"
#include "leanrt/base/process_memory.h"
#include "leanrt/import/load_model.h"
#include "leanrt/runtime/compiled_model.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

namespace fs = std::filesystem;

size_t file_mapped_constant_bytes(const ir::Graph& graph) {
  size_t bytes = 0;
  for (const ir::Value& value : graph.values)
    if (value.is_constant() && value.constant->file_mapped) bytes += value.constant->size_bytes;
  return bytes;
}

TEST(SavedModelMemory, LoadingKeepsVariablesInTheMappedShard) {
  const fs::path dir = fs::temp_directory_path() / ("leanrt-sm-memory-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const int64_t rows = 2048, cols = 4096;  // 32 MiB of float32 weights
  const size_t variable_bytes = write_matmul_saved_model(dir.string(), rows, cols, 0.5f);

  const ProcessMemory before = read_process_memory();
  auto graph = importer::load_model(dir.string(), {});
  const ProcessMemory after = read_process_memory();
  ASSERT_TRUE(graph.has_value()) << graph.status().message();
  const auto anon_growth = static_cast<int64_t>(after.rss_anon_bytes) - static_cast<int64_t>(before.rss_anon_bytes);
  std::printf("variables %zu bytes; RssAnon grew %lld bytes, RssFile grew %lld bytes\n", variable_bytes,
              static_cast<long long>(anon_growth),
              static_cast<long long>(after.rss_file_bytes) - static_cast<long long>(before.rss_file_bytes));
  EXPECT_LT(anon_growth, static_cast<int64_t>(variable_bytes / 10));
  EXPECT_EQ(file_mapped_constant_bytes(*graph), variable_bytes);

  // The mapped weights compute: x = ones -> every y = rows * 0.5.
  runtime::CompileOptions options;
  options.kernels.choice = kernels::KernelChoice::kReference;
  options.input_shapes["x:0"] = {1, rows};
  auto compiled = runtime::CompiledModel::compile(*graph, options);
  ASSERT_TRUE(compiled.has_value()) << compiled.status().message();
  std::vector<float> x(static_cast<size_t>(rows), 1.0f);
  (*compiled)->set_input(0, x.data());
  ASSERT_TRUE((*compiled)->run().is_ok());
  const auto& y = (*compiled)->output(0);
  ASSERT_EQ(y.elements(), cols);
  EXPECT_EQ(y.as<float>()[0], 0.5f * static_cast<float>(rows));
  EXPECT_EQ(y.as<float>()[cols - 1], 0.5f * static_cast<float>(rows));
  fs::remove_all(dir);
}

// Every variable the corpus SavedModels use is a view of the data shard.
TEST(SavedModelMemory, CorpusVariablesAreMappedNotCopied) {
  auto corpus = corpus_dir();
  auto manifest = load_manifest("cases.json");
  if (!corpus || !manifest) GTEST_SKIP() << "corpus not found";
  int checked = 0;
  for (const auto& manifest_case : (*manifest)["cases"]) {
    if (manifest_case["format"] != "tf-savedmodel-v2") continue;
    const std::string model = *corpus + "/" + manifest_case["model"].get<std::string>();
    auto graph = importer::load_model(model, {});
    ASSERT_TRUE(graph.has_value()) << graph.status().message();
    const size_t used_bytes = manifest_case["variables"]["used_bytes"].get<size_t>();
    EXPECT_EQ(file_mapped_constant_bytes(*graph), used_bytes) << model;
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

}  // namespace
}  // namespace leanrt::testing
