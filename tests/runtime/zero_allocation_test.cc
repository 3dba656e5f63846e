// After the first run, CompiledModel::run() performs no heap allocation: a
// malloc hook counts every malloc/calloc/realloc (operator new included,
// since libstdc++'s calls malloc) over repeated runs of corpus models. Eleven
// runs after the first: the last three are the thread governor's first probe,
// on one thread (runtime/thread_governor.h), so its switch is covered too.
#include <gtest/gtest.h>

#include <cstdlib>

#include "leanrt/data/npy.h"
#include "leanrt/import/load_model.h"
#include "leanrt/runtime/compiled_model.h"
#include "support/allocation_counter.h"
#include "support/corpus.h"


namespace leanrt::testing {
namespace {

TEST(ZeroAllocation, HookCountsAllocations) {
  long before = allocation_count();
  // Volatile: an unused malloc/free or new/delete pair may be elided by the
  // compiler, the counting malloc being in another file.
  void* volatile pointer = std::malloc(100);
  std::free(pointer);
  std::vector<int>* volatile object = new std::vector<int>(10);
  delete object;
  EXPECT_GE(allocation_count() - before, 2) << "the hook must see malloc and operator new";
}

TEST(ZeroAllocation, RunAllocatesNothingAfterTheFirst) {
  auto corpus = corpus_dir();
  auto manifest = load_manifest("cases.json");
  if (!corpus || !manifest) GTEST_SKIP() << "corpus not found";
  int models = 0;
  for (const auto& manifest_case : (*manifest)["cases"]) {
    const std::string name = manifest_case["name"];
    if (name != "emotion" && name != "blazeface" && name != "facemesh-attention" && name != "meet" && name != "gear")
      continue;
    auto graph = importer::load_model(*corpus + "/" + manifest_case["model"].get<std::string>(), {});
    ASSERT_TRUE(graph.has_value()) << graph.status().message();
    std::vector<data::NpyArray> inputs;
    runtime::CompileOptions options;
    for (const auto& [input, path] : manifest_case["inputs"].items()) {
      auto array = data::read_npy(*corpus + "/" + path.get<std::string>());
      ASSERT_TRUE(array.has_value());
      options.input_shapes[input] = array->shape;
      inputs.push_back(std::move(*array));
    }
    auto compiled = runtime::CompiledModel::compile(*graph, options);
    ASSERT_TRUE(compiled.has_value()) << compiled.status().message();
    for (size_t i = 0; i < inputs.size(); ++i) (*compiled)->set_input(static_cast<int>(i), inputs[i].data);
    ASSERT_TRUE((*compiled)->run().is_ok());
    const long before = allocation_count();
    for (int run = 0; run < 11; ++run) ASSERT_TRUE((*compiled)->run().is_ok());
    const long allocations = allocation_count() - before;
    std::printf("%s: %ld heap allocations over 11 runs after the first\n", name.c_str(), allocations);
    EXPECT_EQ(allocations, 0) << name;
    ++models;
  }
  EXPECT_EQ(models, 5);
}

}  // namespace
}  // namespace leanrt::testing
