// A signature may feed a tensor no Placeholder produces (TF Serving's
// half_plus_two: a PlaceholderWithDefault, or an Identity of a ParseExample
// output); the graph is cut there and the fed tensor becomes the input.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "import/tf_test_files.h"
#include "leanrt/import/load_model.h"
#include "leanrt/runtime/compiled_model.h"

namespace leanrt::testing {
namespace {

namespace fs = std::filesystem;

class SavedModelFeeds : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("leanrt-sm-feeds-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs the model on one [1, 1] input and returns its one output value.
  float run_one(const ir::Graph& graph, const std::string& input, float x) {
    runtime::CompileOptions options;
    options.kernels.choice = kernels::KernelChoice::kReference;
    options.input_shapes[input] = {1, 1};
    auto compiled = runtime::CompiledModel::compile(graph, options);
    EXPECT_TRUE(compiled.has_value()) << compiled.status().message();
    if (!compiled) return 0.0f;
    (*compiled)->set_input(0, &x);
    EXPECT_TRUE((*compiled)->run().is_ok());
    return (*compiled)->output(0).as<float>()[0];
  }

  fs::path dir_;
};

TEST_F(SavedModelFeeds, PlaceholderWithDefaultIsFedInPlace) {
  tfproto::GraphDef graph;
  *graph.add_node() = float_const_node("x/default", {1, 1}, {1.0f});
  tfproto::NodeDef x = op_node("x", "PlaceholderWithDefault", {"x/default"});
  x.mutable_attr()->erase("T");
  (*x.mutable_attr())["dtype"].set_type(tfproto::DT_FLOAT);
  *graph.add_node() = x;
  *graph.add_node() = float_const_node("two", {}, {2.0f});
  *graph.add_node() = op_node("y", "Mul", {"x", "two"});
  write_saved_model(dir_.string(), graph, {{"x", "x:0"}}, {{"y", "y:0"}}, {-1, 1});
  auto loaded = importer::load_model(dir_.string(), {});
  ASSERT_TRUE(loaded.has_value()) << loaded.status().message();
  EXPECT_EQ(loaded->input_names, (std::vector<std::string>{"x:0"}));
  for (const ir::Node& node : loaded->nodes) EXPECT_NE(node.op, "PlaceholderWithDefault");
  EXPECT_EQ(run_one(*loaded, "x:0", 3.0f), 6.0f);
}

// The fed tensor is output 1 of a node (as x2:0 reads ParseExample:1): it
// becomes an input named "parts:1", and the node itself is cut away.
TEST_F(SavedModelFeeds, ASecondOutputIsFedUnderItsTensorName) {
  tfproto::GraphDef graph;
  *graph.add_node() = placeholder_node("pair", {2, 1});
  tfproto::NodeDef parts = op_node("parts", "Unpack", {"pair"});
  (*parts.mutable_attr())["num"].set_i(2);
  *graph.add_node() = parts;
  *graph.add_node() = float_const_node("ten", {}, {10.0f});
  *graph.add_node() = op_node("y", "AddV2", {"parts:1", "ten"});
  write_saved_model(dir_.string(), graph, {{"second", "parts:1"}}, {{"y", "y:0"}}, {-1, 1});
  auto loaded = importer::load_model(dir_.string(), {});
  ASSERT_TRUE(loaded.has_value()) << loaded.status().message();
  EXPECT_EQ(loaded->input_names, (std::vector<std::string>{"parts:1"}));
  for (const ir::Node& node : loaded->nodes) EXPECT_NE(node.op, "Unpack");
  EXPECT_EQ(run_one(*loaded, "parts:1", 5.0f), 15.0f);
}

// A signature fetching a tensor the graph does not have is named as such.
TEST_F(SavedModelFeeds, AMissingFetchIsNamed) {
  tfproto::GraphDef graph;
  *graph.add_node() = placeholder_node("x", {-1, 1});
  *graph.add_node() = op_node("y", "Relu", {"x"});
  write_saved_model(dir_.string(), graph, {{"x", "x:0"}}, {{"y", "z:0"}}, {-1, 1});
  auto loaded = importer::load_model(dir_.string(), {});
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.status().message().find("saved_model.pb"), std::string::npos) << loaded.status().message();
  EXPECT_NE(loaded.status().message().find("\"z\""), std::string::npos) << loaded.status().message();
}

}  // namespace
}  // namespace leanrt::testing
