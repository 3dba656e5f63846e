// Shape functions of while_loop (While), tensor_array (TF1 TensorArray*V3,
// with the handle input dropped at import: see import/tf1_control_flow.h)
// and tensor_list (TF2 TensorList*). Lists (dtype variant) exist only at
// run time, so at compile time these report kDynamicShape; inside a dynamic
// step every input is a constant and they compute exact shapes from the
// lists themselves.
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/tensor_list.h"

namespace leanrt::ir::ops {
namespace {

Status dynamic(const InferContext& context) {
  return make_error(ErrorCode::kDynamicShape, "{}: works on tensor lists, which exist only at run time",
                    context.where());
}

// Every input constant (run time) or not (compile time)?
bool all_constant(const InferContext& context) {
  for (int i = 0; i < context.num_inputs(); ++i)
    if (!context.input(i).is_constant()) return false;
  return true;
}

const TensorList& list_at(const InferContext& context, int index) {
  return *as_tensor_list(context.input(index).constant->data);
}

Expected<Shape> element_shape_of(const InferContext& context, const TensorList& list, int64_t index) {
  if (index < 0 || index >= static_cast<int64_t>(list.elements.size()))
    return make_error(ErrorCode::kInvalidArgument, "{}: index {} is out of range for a list of {} elements",
                      context.where(), index, list.elements.size());
  if (!list.elements[index].bytes.owner) {
    if (is_fully_known(list.element_shape) && !list.element_shape.empty()) return list.element_shape;
    return make_error(ErrorCode::kInvalidArgument, "{}: element {} was read before it was written", context.where(),
                      index);
  }
  return list.elements[index].shape;
}

// The element shape a stack/gather of `list` produces: the first written
// element's, else the declared one.
Shape stacked_element_shape(const TensorList& list, const Shape& declared) {
  for (const auto& element : list.elements)
    if (element.bytes.owner) return element.shape;
  if (is_fully_known(declared)) return declared;
  return list.element_shape;
}

std::vector<ValueType> one(DType dtype, Shape shape) { return {ValueType{dtype, std::move(shape)}}; }

}  // namespace

Expected<std::vector<ValueType>> infer_while_loop(const InferContext& context) {
  return make_error(ErrorCode::kDynamicShape, "{}: the iteration count is known only at run time", context.where());
}

Expected<std::vector<ValueType>> infer_tensor_array(const InferContext& context) {
  if (!all_constant(context)) return dynamic(context);
  const std::string& op = context.node().op;
  const DType dtype = context.attrs().get_or<DType>("dtype", DType::kF32);
  if (op == "TensorArrayV3") return std::vector<ValueType>{{DType::kVariant, {}}, {DType::kVariant, {}}};
  if (op == "TensorArrayWriteV3" || op == "TensorArrayScatterV3" || op == "TensorArraySplitV3")
    return one(DType::kVariant, {});
  const TensorList& list = list_at(context, context.num_inputs() - 1);
  if (op == "TensorArraySizeV3") return one(DType::kI32, {});
  if (op == "TensorArrayReadV3") {
    LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> index, context.const_ints(0));
    LEANRT_ASSIGN_OR_RETURN(Shape shape, element_shape_of(context, list, index.at(0)));
    return one(dtype, shape);
  }
  if (op == "TensorArrayGatherV3") {
    Shape shape = {num_elements(context.shape(0))};
    Shape element = stacked_element_shape(list, context.attrs().get_or<ShapeAttr>("element_shape", {}).dims);
    shape.insert(shape.end(), element.begin(), element.end());
    return one(dtype, shape);
  }
  if (op == "TensorArrayConcatV3") {
    Shape element = stacked_element_shape(list, {});
    int64_t rows = 0;
    for (const auto& e : list.elements) rows += e.shape.empty() ? 0 : e.shape[0];
    if (!element.empty()) element[0] = rows;
    return std::vector<ValueType>{{dtype, element}, {DType::kI64, {static_cast<int64_t>(list.elements.size())}}};
  }
  return unsupported("{}: {} is not supported", context.where(), op);
}

Expected<std::vector<ValueType>> infer_tensor_list(const InferContext& context) {
  if (!all_constant(context)) return dynamic(context);
  const std::string& op = context.node().op;
  const DType dtype = context.attrs().get_or<DType>("element_dtype", DType::kF32);
  if (op == "TensorListReserve" || op == "TensorListFromTensor" || op == "TensorListSetItem" ||
      op == "TensorListPushBack" || op == "EmptyTensorList")
    return one(DType::kVariant, {});
  const TensorList& list = list_at(context, 0);
  if (op == "TensorListLength") return one(DType::kI32, {});
  if (op == "TensorListGetItem") {
    LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> index, context.const_ints(1));
    LEANRT_ASSIGN_OR_RETURN(Shape shape, element_shape_of(context, list, index.at(0)));
    return one(dtype, shape);
  }
  if (op == "TensorListPopBack") {
    if (list.elements.empty()) return context.error("pop from an empty list");
    LEANRT_ASSIGN_OR_RETURN(Shape shape, element_shape_of(context, list, static_cast<int64_t>(list.elements.size()) - 1));
    return std::vector<ValueType>{{DType::kVariant, {}}, {dtype, shape}};
  }
  if (op == "TensorListStack" || op == "TensorListGather") {
    Shape shape = {op == "TensorListStack" ? static_cast<int64_t>(list.elements.size()) : num_elements(context.shape(1))};
    Shape element = stacked_element_shape(list, {});
    shape.insert(shape.end(), element.begin(), element.end());
    return one(dtype, shape);
  }
  return unsupported("{}: {} is not supported", context.where(), op);
}

}  // namespace leanrt::ir::ops
