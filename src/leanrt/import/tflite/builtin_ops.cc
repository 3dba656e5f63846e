#include "leanrt/import/tflite/builtin_ops.h"

#include <map>

namespace leanrt::importer {
namespace {

namespace fb = tflite_schema;

// BuiltinOperator codes (tensorflow/lite/schema/schema.fbs).
enum Builtin : int {
  kAdd = 0, kAveragePool2d = 1, kConcatenation = 2, kConv2d = 3, kDepthwiseConv2d = 4, kDequantize = 6,
  kFullyConnected = 9, kLogistic = 14, kMaxPool2d = 17, kMul = 18, kRelu = 19, kReluN1To1 = 20, kRelu6 = 21,
  kReshape = 22, kResizeBilinear = 23, kSoftmax = 25, kTanh = 28, kPad = 34, kTranspose = 39, kMean = 40, kSub = 41,
  kDiv = 42, kSqueeze = 43, kStridedSlice = 45, kExp = 47, kMaximum = 55, kMinimum = 57,
};

ImportedNode make_node(const std::string& name, const std::string& op, std::vector<std::string> inputs) {
  ImportedNode node;
  node.name = name;
  node.op = op;
  node.inputs = std::move(inputs);
  return node;
}

template <typename T>
ImportedNode make_const(const std::string& name, const std::vector<T>& values, Shape shape) {
  ImportedNode node = make_node(name, "Const", {});
  node.constant = ConstBytes::copy_of(values.data(), values.size() * sizeof(T));
  node.constant_dtype = dtype_of<T>();
  node.constant_shape = std::move(shape);
  return node;
}

// TFLite fuses an activation into many ops; TF spells it as a separate op
// after the computation. The computation then takes "<output>/pre_activation".
Status append_with_activation(const TfliteOp& op, ImportedNode computation, fb::ActivationFunctionType activation,
                              std::vector<ImportedNode>& nodes) {
  if (activation == fb::ActivationFunctionType_NONE) {
    computation.name = op.output;
    nodes.push_back(std::move(computation));
    return Status::ok();
  }
  const std::string raw = op.output + "/pre_activation";
  computation.name = raw;
  nodes.push_back(std::move(computation));
  switch (activation) {
    case fb::ActivationFunctionType_RELU: nodes.push_back(make_node(op.output, "Relu", {raw})); break;
    case fb::ActivationFunctionType_RELU6: nodes.push_back(make_node(op.output, "Relu6", {raw})); break;
    case fb::ActivationFunctionType_TANH: nodes.push_back(make_node(op.output, "Tanh", {raw})); break;
    case fb::ActivationFunctionType_RELU_N1_TO_1:
      nodes.push_back(make_const<float>(op.output + "/min", {-1.0f}, {}));
      nodes.push_back(make_const<float>(op.output + "/max", {1.0f}, {}));
      nodes.push_back(make_node(op.output, "ClipByValue", {raw, op.output + "/min", op.output + "/max"}));
      break;
    default:
      return unsupported("{}: fused activation {} is not supported by leanrt yet", op.where,
                         fb::EnumNameActivationFunctionType(activation));
  }
  return Status::ok();
}

Status expect_inputs(const TfliteOp& op, size_t count) {
  if (op.inputs.size() < count)
    return invalid_model("{}: expected {} inputs, found {}", op.where, count, op.inputs.size());
  for (size_t i = 0; i < count; ++i)
    if (op.inputs[i].empty()) return invalid_model("{}: input {} is absent, expected a tensor", op.where, i);
  return Status::ok();
}

// ADD, SUB, MUL, DIV: TF's broadcasting binary ops plus the fused activation.
Status map_arithmetic(const TfliteOp& op, const char* tf_op, fb::ActivationFunctionType activation,
                      std::vector<ImportedNode>& nodes) {
  LEANRT_RETURN_IF_ERROR(expect_inputs(op, 2));
  return append_with_activation(op, make_node("", tf_op, {op.inputs[0], op.inputs[1]}), activation, nodes);
}

Status map_unary(const TfliteOp& op, const char* tf_op, std::vector<ImportedNode>& nodes) {
  LEANRT_RETURN_IF_ERROR(expect_inputs(op, 1));
  nodes.push_back(make_node(op.output, tf_op, {op.inputs[0]}));
  return Status::ok();
}

Status map_reshape(const TfliteOp& op, std::vector<ImportedNode>& nodes) {
  LEANRT_RETURN_IF_ERROR(expect_inputs(op, 1));
  std::string shape = op.inputs.size() > 1 ? op.inputs[1] : "";
  if (shape.empty()) {  // older models give the shape as an option
    const auto* options = op.table.builtin_options_as_ReshapeOptions();
    if (options == nullptr || options->new_shape() == nullptr)
      return invalid_model("{}: no shape input and no new_shape option", op.where);
    std::vector<int32_t> dims(options->new_shape()->begin(), options->new_shape()->end());
    shape = op.output + "/shape";
    nodes.push_back(make_const<int32_t>(shape, dims, {static_cast<int64_t>(dims.size())}));
  }
  nodes.push_back(make_node(op.output, "Reshape", {op.inputs[0], shape}));
  return Status::ok();
}

// TFLite's softmax(beta * x) is TF's Softmax of a scaled input.
Status map_softmax(const TfliteOp& op, std::vector<ImportedNode>& nodes) {
  LEANRT_RETURN_IF_ERROR(expect_inputs(op, 1));
  const auto* options = op.table.builtin_options_as_SoftmaxOptions();
  const float beta = options ? options->beta() : 1.0f;
  std::string input = op.inputs[0];
  if (beta != 1.0f) {
    nodes.push_back(make_const<float>(op.output + "/beta", {beta}, {}));
    nodes.push_back(make_node(op.output + "/scaled", "Mul", {input, op.output + "/beta"}));
    input = op.output + "/scaled";
  }
  nodes.push_back(make_node(op.output, "Softmax", {input}));
  return Status::ok();
}

Status map_concatenation(const TfliteOp& op, std::vector<ImportedNode>& nodes) {
  if (op.inputs.empty()) return invalid_model("{}: expected at least one input", op.where);
  const auto* options = op.table.builtin_options_as_ConcatenationOptions();
  const int32_t axis = options ? options->axis() : 0;
  nodes.push_back(make_const<int32_t>(op.output + "/axis", {axis}, {}));
  ImportedNode concat = make_node("", "ConcatV2", op.inputs);
  concat.inputs.push_back(op.output + "/axis");
  concat.attrs.set("N", static_cast<int64_t>(op.inputs.size()));
  return append_with_activation(op, std::move(concat),
                                options ? options->fused_activation_function() : fb::ActivationFunctionType_NONE,
                                nodes);
}

template <typename Options>
fb::ActivationFunctionType activation_of(const Options* options) {
  return options ? options->fused_activation_function() : fb::ActivationFunctionType_NONE;
}

}  // namespace

std::string builtin_op_name(int code) {
  static const std::map<int, const char*> names = {
      {kAdd, "ADD"}, {kAveragePool2d, "AVERAGE_POOL_2D"}, {kConcatenation, "CONCATENATION"}, {kConv2d, "CONV_2D"},
      {kDepthwiseConv2d, "DEPTHWISE_CONV_2D"}, {kDequantize, "DEQUANTIZE"}, {kFullyConnected, "FULLY_CONNECTED"},
      {kLogistic, "LOGISTIC"}, {kMaxPool2d, "MAX_POOL_2D"}, {kMul, "MUL"}, {kRelu, "RELU"},
      {kReluN1To1, "RELU_N1_TO_1"}, {kRelu6, "RELU6"}, {kReshape, "RESHAPE"}, {kResizeBilinear, "RESIZE_BILINEAR"},
      {kSoftmax, "SOFTMAX"}, {kTanh, "TANH"}, {kPad, "PAD"}, {kTranspose, "TRANSPOSE"}, {kMean, "MEAN"},
      {kSub, "SUB"}, {kDiv, "DIV"}, {kSqueeze, "SQUEEZE"}, {kStridedSlice, "STRIDED_SLICE"}, {kExp, "EXP"},
      {kMaximum, "MAXIMUM"}, {kMinimum, "MINIMUM"}};
  auto found = names.find(code);
  return found != names.end() ? found->second : fmt::format("BUILTIN_{}", code);
}

Status map_builtin_op(const TfliteOp& op, std::vector<ImportedNode>& nodes) {
  switch (op.code) {
    case kAdd: return map_arithmetic(op, "AddV2", activation_of(op.table.builtin_options_as_AddOptions()), nodes);
    case kSub: return map_arithmetic(op, "Sub", activation_of(op.table.builtin_options_as_SubOptions()), nodes);
    case kMul: return map_arithmetic(op, "Mul", activation_of(op.table.builtin_options_as_MulOptions()), nodes);
    case kDiv: return map_arithmetic(op, "RealDiv", activation_of(op.table.builtin_options_as_DivOptions()), nodes);
    case kMaximum: return map_arithmetic(op, "Maximum", fb::ActivationFunctionType_NONE, nodes);
    case kMinimum: return map_arithmetic(op, "Minimum", fb::ActivationFunctionType_NONE, nodes);
    case kRelu: return map_unary(op, "Relu", nodes);
    case kRelu6: return map_unary(op, "Relu6", nodes);
    case kLogistic: return map_unary(op, "Sigmoid", nodes);
    case kTanh: return map_unary(op, "Tanh", nodes);
    case kExp: return map_unary(op, "Exp", nodes);
    case kReshape: return map_reshape(op, nodes);
    case kSoftmax: return map_softmax(op, nodes);
    case kConcatenation: return map_concatenation(op, nodes);
    default:
      return unsupported("{}: builtin op {} is not supported by leanrt yet", op.where, builtin_op_name(op.code));
  }
}

}  // namespace leanrt::importer
