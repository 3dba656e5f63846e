// Structured loops and tensor lists, on graphs built here with values
// worked out from TensorFlow's op definitions (the corpus covers TF1 loops
// and TensorArrays through faceboxes; these cover the TF2 forms).
#include <gtest/gtest.h>

#include "support/op_runner.h"

namespace leanrt::testing {
namespace {

// cond(i, acc) = i < 5; body(i, acc) = (i + 1, acc * 2)
std::vector<std::shared_ptr<const ir::Graph>> doubling_loop() {
  auto cond = std::make_shared<ir::Graph>();
  cond->source = "cond";
  ir::ValueId i = cond->add_input("i", DType::kI32, {});
  cond->add_input("acc", DType::kF32, {});
  int32_t five = 5;
  ir::ValueId limit = cond->add_constant("limit", DType::kI32, {}, ConstBytes::copy_of(&five, 4));
  ir::NodeId less = cond->add_node("less", "Less", {i, limit}, 1);
  cond->outputs = {cond->nodes[less].outputs[0]};
  auto body = std::make_shared<ir::Graph>();
  body->source = "body";
  ir::ValueId j = body->add_input("i", DType::kI32, {});
  ir::ValueId acc = body->add_input("acc", DType::kF32, {});
  int32_t one = 1;
  float two = 2.0f;
  ir::ValueId one_value = body->add_constant("one", DType::kI32, {}, ConstBytes::copy_of(&one, 4));
  ir::ValueId two_value = body->add_constant("two", DType::kF32, {}, ConstBytes::copy_of(&two, 4));
  ir::NodeId next = body->add_node("next", "AddV2", {j, one_value}, 1);
  ir::NodeId doubled = body->add_node("doubled", "Mul", {acc, two_value}, 1);
  body->outputs = {body->nodes[next].outputs[0], body->nodes[doubled].outputs[0]};
  return {cond, body};
}

TEST(ControlFlow, StatelessWhileRunsUntilCondIsFalse) {
  auto result = run_op("StatelessWhile", {TestTensor::of<int32_t>({}, {0}), TestTensor::of<float>({}, {1.0f})}, {}, 2,
                       doubling_loop());
  ASSERT_TRUE(result.has_value()) << result.status().message();
  EXPECT_EQ((*result)[0].values<int32_t>(), (std::vector<int32_t>{5}));
  EXPECT_EQ((*result)[1].values<float>(), (std::vector<float>{32.0f}));
}

TEST(ControlFlow, LoopBeyondTheIterationLimitIsAnError) {
  // cond is always true: i < 5 never fails when the body does not advance i.
  auto loop = doubling_loop();
  auto body = std::make_shared<ir::Graph>(*loop[1]);
  body->outputs[0] = body->inputs[0];
  auto result = run_op("While", {TestTensor::of<int32_t>({}, {0}), TestTensor::of<float>({}, {1.0f})}, {}, 2,
                       {loop[0], body}, kernels::KernelChoice::kReference, 1000);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.status().message().find("--max-loop-iterations"), std::string::npos) << result.status().message();
}

// A tiny graph of list ops: the test builds it node by node.
class ListGraph {
 public:
  ListGraph() { graph_.source = "lists"; }
  ir::ValueId input(const TestTensor& tensor) {
    inputs_.push_back(tensor);
    return graph_.add_input("in" + std::to_string(inputs_.size()), tensor.dtype, tensor.shape);
  }
  ir::ValueId constant(const TestTensor& tensor) {
    return graph_.add_constant("c" + std::to_string(graph_.values.size()), tensor.dtype, tensor.shape,
                               ConstBytes::copy_of(tensor.bytes.data(), tensor.bytes.size()));
  }
  std::vector<ir::ValueId> node(const std::string& op, std::vector<ir::ValueId> inputs, int outputs = 1) {
    ir::AttrMap attrs;
    attrs.set("element_dtype", DType::kF32);
    attrs.set("dtype", DType::kF32);
    ir::NodeId id = graph_.add_node(op + std::to_string(graph_.nodes.size()), op, std::move(inputs), outputs, attrs);
    return graph_.nodes[id].outputs;
  }
  Expected<std::vector<TestTensor>> run(std::vector<ir::ValueId> outputs);

 private:
  ir::Graph graph_;
  std::vector<TestTensor> inputs_;
};

}  // namespace
}  // namespace leanrt::testing

#include "leanrt/runtime/compiled_model.h"

namespace leanrt::testing {
namespace {

Expected<std::vector<TestTensor>> ListGraph::run(std::vector<ir::ValueId> outputs) {
  for (ir::ValueId output : outputs) {
    graph_.outputs.push_back(output);
    graph_.output_names.push_back(graph_.values[output].name);
  }
  runtime::CompileOptions options;
  options.kernels.choice = kernels::KernelChoice::kReference;
  LEANRT_ASSIGN_OR_RETURN(auto compiled, runtime::CompiledModel::compile(graph_, options));
  for (size_t i = 0; i < inputs_.size(); ++i) compiled->set_input(static_cast<int>(i), inputs_[i].bytes.data());
  LEANRT_RETURN_IF_ERROR(compiled->run());
  std::vector<TestTensor> results;
  for (size_t k = 0; k < outputs.size(); ++k) {
    const auto& view = compiled->output(static_cast<int>(k));
    TestTensor result;
    result.dtype = view.dtype;
    result.shape = view.shape.to_shape();
    result.bytes.assign(view.data, view.data + view.size_bytes());
    results.push_back(std::move(result));
  }
  return results;
}

TEST(ControlFlow, TensorListOpsFollowTensorFlow) {
  ListGraph g;
  ir::ValueId rows = g.input(TestTensor::of<float>({3, 2}, {1, 2, 3, 4, 5, 6}));
  ir::ValueId element_shape = g.constant(TestTensor::of<int32_t>({1}, {2}));
  ir::ValueId one = g.constant(TestTensor::of<int32_t>({}, {1}));
  ir::ValueId list = g.node("TensorListFromTensor", {rows, element_shape})[0];
  ir::ValueId item = g.node("TensorListGetItem", {list, one, element_shape})[0];
  ir::ValueId replaced = g.node("TensorListSetItem", {list, one, g.constant(TestTensor::of<float>({2}, {-1, -2}))})[0];
  ir::ValueId stacked = g.node("TensorListStack", {replaced, element_shape})[0];
  ir::ValueId pushed = g.node("TensorListPushBack", {replaced, g.constant(TestTensor::of<float>({2}, {7, 8}))})[0];
  ir::ValueId length = g.node("TensorListLength", {pushed})[0];
  auto popped = g.node("TensorListPopBack", {pushed, element_shape}, 2);
  ir::ValueId gathered = g.node("TensorListGather", {replaced, g.constant(TestTensor::of<int32_t>({2}, {2, 0})), element_shape})[0];
  ir::ValueId reserved = g.node("TensorListReserve", {element_shape, g.constant(TestTensor::of<int32_t>({}, {2}))})[0];
  ir::ValueId written = g.node("TensorListSetItem", {reserved, one, g.constant(TestTensor::of<float>({2}, {9, 9}))})[0];
  ir::ValueId reserved_stack = g.node("TensorListStack", {written, element_shape})[0];
  ir::ValueId empty = g.node("EmptyTensorList", {element_shape, g.constant(TestTensor::of<int32_t>({}, {4}))})[0];
  ir::ValueId empty_length = g.node("TensorListLength", {empty})[0];
  auto result = g.run({item, stacked, length, popped[1], gathered, reserved_stack, empty_length});
  ASSERT_TRUE(result.has_value()) << result.status().message();
  EXPECT_EQ((*result)[0].values<float>(), (std::vector<float>{3, 4}));
  EXPECT_EQ((*result)[1].values<float>(), (std::vector<float>{1, 2, -1, -2, 5, 6}));
  EXPECT_EQ((*result)[1].shape, (Shape{3, 2}));
  EXPECT_EQ((*result)[2].values<int32_t>(), (std::vector<int32_t>{4}));
  EXPECT_EQ((*result)[3].values<float>(), (std::vector<float>{7, 8}));
  EXPECT_EQ((*result)[4].values<float>(), (std::vector<float>{5, 6, 1, 2}));
  // Never-written elements of a list with a known element shape read as zeros.
  EXPECT_EQ((*result)[5].values<float>(), (std::vector<float>{0, 0, 9, 9}));
  EXPECT_EQ((*result)[6].values<int32_t>(), (std::vector<int32_t>{0}));
}

TEST(ControlFlow, TensorArrayConcatJoinsAlongAxisZero) {
  ListGraph g;
  ir::ValueId size = g.constant(TestTensor::of<int32_t>({}, {2}));
  auto array = g.node("TensorArrayV3", {size}, 2);
  ir::ValueId first = g.input(TestTensor::of<float>({2, 2}, {1, 2, 3, 4}));
  ir::ValueId second = g.input(TestTensor::of<float>({1, 2}, {5, 6}));
  // Handles are dropped at import; the flow carries the array.
  ir::ValueId written = g.node("TensorArrayWriteV3", {g.constant(TestTensor::of<int32_t>({}, {0})), first, array[1]})[0];
  written = g.node("TensorArrayWriteV3", {g.constant(TestTensor::of<int32_t>({}, {1})), second, written})[0];
  auto joined = g.node("TensorArrayConcatV3", {written}, 2);
  auto result = g.run({joined[0], joined[1]});
  ASSERT_TRUE(result.has_value()) << result.status().message();
  EXPECT_EQ((*result)[0].shape, (Shape{3, 2}));
  EXPECT_EQ((*result)[0].values<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ((*result)[1].values<int64_t>(), (std::vector<int64_t>{2, 1}));
}

}  // namespace
}  // namespace leanrt::testing
