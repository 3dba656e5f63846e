// The TFLite importer on a model built here: fused activations, Softmax's
// beta, Reshape's option-given shape, shape_signature inputs, ":0" names.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "leanrt/import/load_model.h"
#include "leanrt/import/tflite/schema/tflite_schema_generated.h"
#include "leanrt/runtime/compiled_model.h"

namespace leanrt::testing {
namespace {

namespace fb = tflite_schema;
namespace fs = std::filesystem;

constexpr int kAdd = 0, kReshape = 22, kSoftmax = 25, kConv2d = 3;

// x [1, 2] (shape_signature [-1, 2]) -> ADD(x, c) + fused RELU -> SOFTMAX
// (beta 2) -> RESHAPE (new_shape [-1]) -> "Identity:0".
std::string build_model(int extra_op = -1) {
  flatbuffers::FlatBufferBuilder builder;
  const float c[2] = {-1.0f, 1.0f};
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers = {
      fb::CreateBuffer(builder),
      fb::CreateBuffer(builder, builder.CreateVector(reinterpret_cast<const uint8_t*>(c), sizeof c))};
  auto tensor = [&](const char* name, std::vector<int32_t> shape, uint32_t buffer, std::vector<int32_t> signature = {}) {
    return fb::CreateTensor(builder, builder.CreateVector(shape), fb::TensorType_FLOAT32, buffer,
                            builder.CreateString(name), 0, false, 0,
                            signature.empty() ? 0 : builder.CreateVector(signature));
  };
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors = {
      tensor("x", {1, 2}, 0, {-1, 2}), tensor("c", {2}, 1), tensor("sum", {1, 2}, 0), tensor("probs", {1, 2}, 0),
      tensor("Identity:0", {2}, 0)};
  std::vector<flatbuffers::Offset<fb::OperatorCode>> codes = {
      fb::CreateOperatorCode(builder, kAdd, 0, 1, kAdd), fb::CreateOperatorCode(builder, kSoftmax, 0, 1, kSoftmax),
      fb::CreateOperatorCode(builder, kReshape, 0, 1, kReshape),
      fb::CreateOperatorCode(builder, static_cast<int8_t>(extra_op < 0 ? kConv2d : extra_op), 0, 1,
                             extra_op < 0 ? kConv2d : extra_op)};
  auto op = [&](uint32_t code, std::vector<int32_t> inputs, std::vector<int32_t> outputs, fb::BuiltinOptions type,
                flatbuffers::Offset<void> options) {
    return fb::CreateOperator(builder, code, builder.CreateVector(inputs), builder.CreateVector(outputs), type, options);
  };
  std::vector<flatbuffers::Offset<fb::Operator>> operators = {
      op(0, {0, 1}, {2}, fb::BuiltinOptions_AddOptions,
         fb::CreateAddOptions(builder, fb::ActivationFunctionType_RELU).Union()),
      op(1, {2}, {3}, fb::BuiltinOptions_SoftmaxOptions, fb::CreateSoftmaxOptions(builder, 2.0f).Union()),
      op(2, {3}, {4}, fb::BuiltinOptions_ReshapeOptions,
         fb::CreateReshapeOptions(builder, builder.CreateVector(std::vector<int32_t>{-1})).Union())};
  if (extra_op >= 0) operators.push_back(op(3, {4}, {4}, fb::BuiltinOptions_NONE, 0));
  auto subgraph = fb::CreateSubGraph(builder, builder.CreateVector(tensors), builder.CreateVector(std::vector<int32_t>{0}),
                                     builder.CreateVector(std::vector<int32_t>{4}), builder.CreateVector(operators));
  auto model = fb::CreateModel(builder, 3, builder.CreateVector(codes),
                               builder.CreateVector(std::vector<flatbuffers::Offset<fb::SubGraph>>{subgraph}), 0,
                               builder.CreateVector(buffers));
  fb::FinishModelBuffer(builder, model);
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

fs::path write_model(const std::string& bytes) {
  const fs::path path = fs::temp_directory_path() / ("leanrt-tflite-" + std::to_string(::getpid()) + ".tflite");
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(Tflite, FusedActivationSoftmaxBetaAndReshape) {
  const fs::path path = write_model(build_model());
  auto graph = importer::load_model(path.string(), {});
  fs::remove(path);
  ASSERT_TRUE(graph.has_value()) << graph.status().message();
  EXPECT_EQ(graph->input_names, (std::vector<std::string>{"x"}));
  EXPECT_EQ(graph->output_names, (std::vector<std::string>{"Identity:0"}));
  runtime::CompileOptions options;
  options.kernels.choice = kernels::KernelChoice::kReference;
  options.input_shapes["x"] = {1, 2};
  options.outputs = {"Identity:0"};
  auto compiled = runtime::CompiledModel::compile(*graph, options);
  ASSERT_TRUE(compiled.has_value()) << compiled.status().message();
  const float x[2] = {0.0f, 0.0f};
  (*compiled)->set_input(0, x);
  ASSERT_TRUE((*compiled)->run().is_ok());
  const auto& y = (*compiled)->output(0);
  ASSERT_EQ(y.shape.to_shape(), (Shape{2}));
  // relu(x + c) = [0, 1]; softmax(2 * [0, 1]) = [1, e^2] / (1 + e^2)
  const float e2 = std::exp(2.0f);
  EXPECT_NEAR(y.as<float>()[0], 1.0f / (1.0f + e2), 1e-6f);
  EXPECT_NEAR(y.as<float>()[1], e2 / (1.0f + e2), 1e-6f);
}

TEST(Tflite, UnsupportedBuiltinNamesOperatorAndFile) {
  constexpr int kSvdf = 27;
  const fs::path path = write_model(build_model(kSvdf));
  auto graph = importer::load_model(path.string(), {});
  fs::remove(path);
  ASSERT_FALSE(graph.has_value());
  const std::string message = graph.status().message();
  EXPECT_NE(message.find(path.filename().string() + ": operator 3 (BUILTIN_27)"), std::string::npos) << message;
  EXPECT_NE(message.find("not supported by leanrt yet"), std::string::npos) << message;
}

TEST(Tflite, TruncatedFlatbufferFailsVerification) {
  const std::string bytes = build_model();
  for (size_t cut : {size_t{0}, size_t{7}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 9}) {
    const fs::path path = write_model(bytes.substr(0, cut));
    auto graph = importer::load_model(path.string(), {});
    fs::remove(path);
    ASSERT_FALSE(graph.has_value()) << "cut at " << cut;
    EXPECT_NE(graph.status().message().find(path.filename().string()), std::string::npos) << graph.status().message();
  }
}

}  // namespace
}  // namespace leanrt::testing
