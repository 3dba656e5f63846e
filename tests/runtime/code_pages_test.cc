// Compile's release of code pages (base/code_pages.h): the process's file
// pages of the binary and its libraries drop, its anonymous memory (heap,
// relocated data) does not, and everything still runs afterwards.
#include <gtest/gtest.h>

#include <cstring>

#include "leanrt/base/code_pages.h"
#include "leanrt/base/process_memory.h"
#include "leanrt/import/load_model.h"
#include "leanrt/runtime/compiled_model.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

constexpr size_t kMiB = 1024 * 1024;

TEST(CodePages, ReleaseDropsFilePagesOnly) {
  const ProcessMemory before = read_process_memory();
  const size_t released = release_code_pages();
  const ProcessMemory after = read_process_memory();
  std::printf("released %.2f MiB; RssFile %.2f -> %.2f MiB, RssAnon %.2f -> %.2f MiB\n", released / double(kMiB),
              before.rss_file_bytes / double(kMiB), after.rss_file_bytes / double(kMiB),
              before.rss_anon_bytes / double(kMiB), after.rss_anon_bytes / double(kMiB));
  EXPECT_GT(released, kMiB) << "a gtest binary linked with leanrt has megabytes of library code resident";
  EXPECT_LT(after.rss_file_bytes + released / 2, before.rss_file_bytes);
  EXPECT_LT(after.rss_anon_bytes, before.rss_anon_bytes + kMiB) << "anonymous pages are never dropped";
}

TEST(CodePages, ModelsCompileAndRunAfterARelease) {
  auto corpus = corpus_dir();
  if (!corpus) GTEST_SKIP() << "corpus not found";
  std::vector<std::vector<float>> outputs;
  for (bool release : {true, false}) {
    auto graph = importer::load_model(*corpus + "/models/emotion/emotion.json", {});
    ASSERT_TRUE(graph.has_value()) << graph.status().message();
    runtime::CompileOptions options;
    options.release_code_pages = release;
    auto model = runtime::CompiledModel::compile(std::move(*graph), options);
    ASSERT_TRUE(model.has_value()) << model.status().message();
    std::vector<float> input(static_cast<size_t>(num_elements((*model)->inputs()[0].shape)), 0.5f);
    (*model)->set_input(0, input.data());
    for (int run = 0; run < 3; ++run) ASSERT_TRUE((*model)->run().is_ok());
    const kernels::TensorView& output = (*model)->output(0);
    outputs.emplace_back(output.as<float>(), output.as<float>() + output.elements());
  }
  EXPECT_EQ(outputs[0], outputs[1]) << "the same model with and without the release";
}

}  // namespace
}  // namespace leanrt::testing
