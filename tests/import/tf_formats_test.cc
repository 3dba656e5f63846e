// The TensorFlow formats end to end on corpus models: the same graph as .pb
// and .pbtxt, SavedModel signatures and names, checkpoints, TFLite.
#include <gtest/gtest.h>

#include <google/protobuf/text_format.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "leanrt/data/npy.h"
#include "leanrt/import/tf/proto/tf_graph.pb.h"
#include "leanrt/import/load_model.h"
#include "leanrt/runtime/compiled_model.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

struct CaseRun {
  std::vector<std::vector<std::byte>> outputs;  // bytes of each output, in order
  std::vector<runtime::TensorInfo> infos;
};

const nlohmann::json* find_case(const nlohmann::json& manifest, const std::string& name) {
  for (const auto& manifest_case : manifest["cases"])
    if (manifest_case["name"] == name) return &manifest_case;
  return nullptr;
}

// Loads a case's model and runs it on the case's inputs with the reference
// kernels; `outputs` default to the case's.
Expected<CaseRun> run_case_model(const std::string& corpus, const nlohmann::json& manifest_case,
                                 const importer::LoadOptions& load, std::vector<std::string> outputs = {}) {
  LEANRT_ASSIGN_OR_RETURN(ir::Graph graph,
                          importer::load_model(corpus + "/" + manifest_case["model"].get<std::string>(), load));
  runtime::CompileOptions options;
  options.kernels.choice = kernels::KernelChoice::kReference;
  std::map<std::string, data::NpyArray> inputs;
  for (const auto& [name, path] : manifest_case["inputs"].items()) {
    LEANRT_ASSIGN_OR_RETURN(data::NpyArray array, data::read_npy(corpus + "/" + path.get<std::string>()));
    options.input_shapes[name] = array.shape;
    inputs[name] = std::move(array);
  }
  if (outputs.empty())
    for (const auto& [name, path] : manifest_case["outputs"].items()) outputs.push_back(name);
  options.outputs = outputs;
  LEANRT_ASSIGN_OR_RETURN(auto compiled, runtime::CompiledModel::compile(std::move(graph), options));
  for (size_t i = 0; i < compiled->inputs().size(); ++i) {
    auto given = inputs.find(compiled->inputs()[i].name);
    if (given == inputs.end()) return invalid_argument("no data for input {}", compiled->inputs()[i].name);
    compiled->set_input(static_cast<int>(i), given->second.data);
  }
  LEANRT_RETURN_IF_ERROR(compiled->run());
  CaseRun run;
  run.infos = compiled->outputs();
  for (size_t i = 0; i < compiled->outputs().size(); ++i) {
    const auto& view = compiled->output(static_cast<int>(i));
    run.outputs.emplace_back(view.data, view.data + view.size_bytes());
  }
  return run;
}

class TfFormats : public ::testing::Test {
 protected:
  void SetUp() override {
    corpus_ = corpus_dir();
    manifest_ = load_manifest("cases.json");
    if (!corpus_ || !manifest_) GTEST_SKIP() << "corpus not found";
  }
  const nlohmann::json& manifest_case(const std::string& name) {
    const nlohmann::json* found = find_case(*manifest_, name);
    if (found == nullptr) throw std::runtime_error("no corpus case " + name);
    return *found;
  }
  std::optional<std::string> corpus_;
  std::optional<nlohmann::json> manifest_;
};

TEST_F(TfFormats, BinaryAndTextGraphDefsGiveBitIdenticalOutputs) {
  for (const std::string name : {"tf2onnx-regression", "cms-track-ckf"}) {
    auto binary = run_case_model(*corpus_, manifest_case(name), {});
    auto text = run_case_model(*corpus_, manifest_case(name + "-pbtxt"), {});
    ASSERT_TRUE(binary.has_value()) << name << ": " << binary.status().message();
    ASSERT_TRUE(text.has_value()) << name << "-pbtxt: " << text.status().message();
    ASSERT_EQ(binary->outputs.size(), text->outputs.size());
    for (size_t i = 0; i < binary->outputs.size(); ++i) {
      ASSERT_EQ(binary->outputs[i].size(), text->outputs[i].size()) << name;
      EXPECT_EQ(std::memcmp(binary->outputs[i].data(), text->outputs[i].data(), binary->outputs[i].size()), 0)
          << name << " output " << i << " differs between .pb and .pbtxt";
    }
  }
}

TEST_F(TfFormats, SignatureIsChosenByName) {
  const nlohmann::json& x2 = manifest_case("tfs-half-plus-two-cpu-x2");
  importer::LoadOptions load;
  load.signature = x2["signature"].get<std::string>();  // regress_x2_to_y3
  auto run = run_case_model(*corpus_, x2, load);
  ASSERT_TRUE(run.has_value()) << run.status().message();
  auto want = data::read_npy(*corpus_ + "/" + x2["outputs"]["y3:0"].get<std::string>());
  ASSERT_TRUE(want.has_value());
  const auto& info = run->infos[0];
  EXPECT_EQ(compare_arrays(run->outputs[0].data(), info.dtype, info.shape, *want, {1e-6, 1e-6}), "");
}

TEST_F(TfFormats, SignaturesAreListedForInspect) {
  auto signatures = importer::list_signatures(*corpus_ + "/models/tfs-half-plus-two-cpu", {});
  ASSERT_TRUE(signatures.has_value()) << signatures.status().message();
  std::vector<std::string> names;
  for (const auto& signature : *signatures) names.push_back(signature.name);
  EXPECT_EQ(names, (std::vector<std::string>{"classify_x_to_y", "regress_x2_to_y3", "regress_x_to_y",
                                             "regress_x_to_y2", "serving_default"}));
  const auto& serving = signatures->back();
  EXPECT_TRUE(serving.selected);
  ASSERT_EQ(serving.inputs.size(), 1u);
  EXPECT_EQ(serving.inputs[0].key, "x");
  EXPECT_EQ(serving.inputs[0].name, "x:0");
  EXPECT_EQ(serving.inputs[0].shape, (Shape{-1, 1}));
  EXPECT_TRUE((*signatures)[0].inputs[0].unknown_rank);  // classify takes serialized tf.Examples
  auto none = importer::list_signatures(*corpus_ + "/models/tf2onnx-regression/frozen.pb", {});
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

// TF1 half_plus_two's signature input x:0 is an Identity of a ParseExample
// output: the graph is cut there and x:0 becomes the input.
TEST_F(TfFormats, AFedTensorThatIsNotAPlaceholderBecomesTheInput) {
  auto graph = importer::load_model(*corpus_ + "/models/tfs-half-plus-two-cpu", {});
  ASSERT_TRUE(graph.has_value()) << graph.status().message();
  EXPECT_EQ(graph->input_names, (std::vector<std::string>{"x:0"}));
  EXPECT_EQ(graph->output_names, (std::vector<std::string>{"y:0"}));
  for (const ir::Node& node : graph->nodes) {
    EXPECT_NE(node.op, "ParseExample");
    EXPECT_NE(node.op, "VariableV2");
    EXPECT_NE(node.op, "Assign");
    EXPECT_NE(node.op, "RestoreV2");
    EXPECT_NE(node.op, "SaveV2");
  }
}

// TF2 exports: outputs by signature key or by tensor name; the function
// library inlined, resource variables gone.
TEST_F(TfFormats, Tf2OutputsAreAddressableByKeyAndByTensorName) {
  const nlohmann::json& turbine = manifest_case("sm-turbine-mlp");
  const std::string key = turbine["signature"]["outputs"].begin().key();
  const std::string tensor = turbine["signature"]["outputs"].begin().value();
  auto by_tensor = run_case_model(*corpus_, turbine, {}, {tensor});
  auto by_key = run_case_model(*corpus_, turbine, {}, {key});
  ASSERT_TRUE(by_tensor.has_value()) << by_tensor.status().message();
  ASSERT_TRUE(by_key.has_value()) << by_key.status().message();
  EXPECT_EQ(by_tensor->outputs[0], by_key->outputs[0]);
  auto graph = importer::load_model(*corpus_ + "/" + turbine["model"].get<std::string>(), {});
  ASSERT_TRUE(graph.has_value());
  for (const ir::Node& node : graph->nodes) {
    EXPECT_NE(node.op, "StatefulPartitionedCall");
    EXPECT_NE(node.op, "ReadVariableOp");
    EXPECT_NE(node.op, "VarHandleOp");
  }
}

// TensorFlow also reads a SavedModel written as text (saved_model.pbtxt).
TEST_F(TfFormats, SavedModelInTextForm) {
  namespace fs = std::filesystem;
  const fs::path source = fs::path(*corpus_) / "models" / "tfs-half-plus-two-cpu";
  const fs::path copy = fs::temp_directory_path() / ("leanrt-sm-text-" + std::to_string(::getpid()));
  fs::remove_all(copy);
  fs::create_directories(copy);
  fs::copy(source / "variables", copy / "variables", fs::copy_options::recursive);
  tfproto::SavedModel model;
  {
    std::ifstream in(source / "saved_model.pb", std::ios::binary);
    ASSERT_TRUE(model.ParseFromIstream(&in));
  }
  google::protobuf::TextFormat::Printer printer;
  printer.SetHideUnknownFields(true);
  std::string text;
  ASSERT_TRUE(printer.PrintToString(model, &text));
  std::ofstream(copy / "saved_model.pbtxt") << text;
  nlohmann::json text_case = manifest_case("tfs-half-plus-two-cpu");
  text_case["model"] = fs::relative(copy, *corpus_).string();  // run_case_model reads corpus-relative paths
  auto from_text = run_case_model(*corpus_, text_case, {});
  auto from_binary = run_case_model(*corpus_, manifest_case("tfs-half-plus-two-cpu"), {});
  fs::remove_all(copy);
  ASSERT_TRUE(from_text.has_value()) << from_text.status().message();
  ASSERT_TRUE(from_binary.has_value()) << from_binary.status().message();
  EXPECT_EQ(from_text->outputs, from_binary->outputs);
}

// A TF1 training checkpoint declares its prediction, not its loss, so the
// label placeholder is not an input.
TEST_F(TfFormats, CheckpointDeclaresThePrediction) {
  auto graph = importer::load_model(*corpus_ + "/models/tf2onnx-regression-checkpoint/model.meta", {});
  ASSERT_TRUE(graph.has_value()) << graph.status().message();
  EXPECT_EQ(graph->input_names, (std::vector<std::string>{"X:0"}));
  EXPECT_EQ(graph->output_names, (std::vector<std::string>{"pred"}));
  for (const ir::Node& node : graph->nodes) EXPECT_FALSE(node.name.starts_with("gradients/")) << node.name;
}

TEST_F(TfFormats, TfliteHalfPlusTwo) {
  auto run = run_case_model(*corpus_, manifest_case("tfs-half-plus-two-tflite"), {});
  ASSERT_TRUE(run.has_value()) << run.status().message();
  ASSERT_EQ(run->outputs[0].size(), 3 * sizeof(float));
  float y[3];
  std::memcpy(y, run->outputs[0].data(), sizeof y);
  EXPECT_EQ(y[0], 2.5f);  // x = {1, 2, 3} -> x / 2 + 2
  EXPECT_EQ(y[1], 3.0f);
  EXPECT_EQ(y[2], 3.5f);
}

}  // namespace
}  // namespace leanrt::testing
