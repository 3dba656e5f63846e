// Reference kernels of tensor_array (TF1, flow-carried lists) and
// tensor_list (TF2). A list-valued output's data is a TensorList the
// runtime allocated (evaluate_node); element bytes are copied in, since
// inputs are transient views, and shared between list versions.
#include <cstring>

#include "leanrt/ir/tensor_list.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {
namespace {

using ir::TensorList;

int64_t integer_at(const TensorView& view, int64_t i) {
  return view.dtype == DType::kI64 ? view.as<const int64_t>()[i] : view.as<const int32_t>()[i];
}

TensorList& list_out(const KernelIO& io, int index) { return *reinterpret_cast<TensorList*>(io.output(index).data); }
const TensorList& list_in(const KernelIO& io, int index) { return *ir::as_tensor_list(io.input(index).data); }

// Copies element k (a slice of `value` along axis 0) into a new element.
ir::TensorListElement slice_of(const TensorView& value, int64_t k) {
  Shape shape(value.shape.dim + 1, value.shape.dim + value.shape.rank);
  const size_t bytes = static_cast<size_t>(num_elements(shape)) * dtype_size(value.dtype);
  return {ConstBytes::copy_of(value.data + k * static_cast<int64_t>(bytes), bytes), shape};
}

ir::TensorListElement whole(const TensorView& value) {
  return {ConstBytes::copy_of(value.data, value.size_bytes()), value.shape.to_shape()};
}

Status set_element(TensorList& list, int64_t index, ir::TensorListElement element, const std::string& where) {
  if (index < 0 || index >= static_cast<int64_t>(list.elements.size()))
    return invalid_argument("{}: index {} is out of range for a list of {} elements", where, index, list.elements.size());
  list.elements[index] = std::move(element);
  return Status::ok();
}

// Stacks the listed elements (unwritten ones as zeros) into `out`.
void stack_into(const TensorList& list, const TensorView& indices, bool all, TensorView& out) {
  const int64_t count = all ? static_cast<int64_t>(list.elements.size()) : indices.elements();
  const size_t element_bytes = count > 0 ? out.size_bytes() / static_cast<size_t>(count) : 0;
  for (int64_t k = 0; k < count; ++k) {
    const int64_t index = all ? k : integer_at(indices, k);
    const auto& element = list.elements[index];
    std::byte* target = out.data + k * static_cast<int64_t>(element_bytes);
    if (element.bytes.owner && element.bytes.size_bytes == element_bytes) std::memcpy(target, element.bytes.data, element_bytes);
    else std::memset(target, 0, element_bytes);
  }
}

}  // namespace

Expected<KernelPtr> make_tensor_array(const KernelContext& context) {
  const std::string op = context.node().op;
  const std::string where = context.where();
  const DType dtype = context.attrs().get_or<DType>("dtype", DType::kF32);
  const Shape declared = context.attrs().get_or<ir::ShapeAttr>("element_shape", {}).dims;
  return make_kernel(kernel_name(op, dtype), [=](const KernelIO& io) -> Status {
    if (op == "TensorArrayV3") {
      TensorList& list = list_out(io, 1);  // the flow carries the list
      list.element_dtype = dtype;
      list.element_shape = declared;
      list.elements.resize(static_cast<size_t>(integer_at(io.input(0), 0)));
      list_out(io, 0) = list;  // the handle: unused after import, kept consistent
      return Status::ok();
    }
    const TensorList& list = list_in(io, io.num_inputs - 1);
    if (op == "TensorArrayWriteV3") {
      TensorList& out = list_out(io, 0);
      out = list;
      return set_element(out, integer_at(io.input(0), 0), whole(io.input(1)), where);
    }
    if (op == "TensorArrayScatterV3") {
      TensorList& out = list_out(io, 0);
      out = list;
      for (int64_t k = 0; k < io.input(0).elements(); ++k)
        LEANRT_RETURN_IF_ERROR(set_element(out, integer_at(io.input(0), k), slice_of(io.input(1), k), where));
      return Status::ok();
    }
    if (op == "TensorArrayReadV3") {
      const int64_t index = integer_at(io.input(0), 0);
      const auto& element = list.elements.at(index);
      if (element.bytes.owner) std::memcpy(io.output(0).data, element.bytes.data, io.output(0).size_bytes());
      else std::memset(io.output(0).data, 0, io.output(0).size_bytes());
      return Status::ok();
    }
    if (op == "TensorArrayGatherV3") {
      stack_into(list, io.input(0), false, io.output(0));
      return Status::ok();
    }
    if (op == "TensorArraySizeV3") {
      io.output(0).as<int32_t>()[0] = static_cast<int32_t>(list.elements.size());
      return Status::ok();
    }
    if (op == "TensorArrayConcatV3") {
      std::byte* target = io.output(0).data;
      for (size_t k = 0; k < list.elements.size(); ++k) {
        const auto& element = list.elements[k];
        std::memcpy(target, element.bytes.data, element.bytes.size_bytes);
        target += element.bytes.size_bytes;
        io.output(1).as<int64_t>()[k] = element.shape.empty() ? 0 : element.shape[0];
      }
      return Status::ok();
    }
    return unsupported("{}: {} is not supported", where, op);
  });
}

Expected<KernelPtr> make_tensor_list(const KernelContext& context) {
  const std::string op = context.node().op;
  const std::string where = context.where();
  const DType dtype = context.attrs().get_or<DType>("element_dtype", DType::kF32);
  return make_kernel(kernel_name(op, dtype), [=](const KernelIO& io) -> Status {
    if (op == "TensorListReserve" || op == "EmptyTensorList") {
      TensorList& list = list_out(io, 0);
      list.element_dtype = dtype;
      list.element_shape.clear();
      for (int64_t k = 0; k < io.input(0).elements(); ++k) list.element_shape.push_back(integer_at(io.input(0), k));
      if (op == "TensorListReserve") list.elements.resize(static_cast<size_t>(integer_at(io.input(1), 0)));
      return Status::ok();
    }
    if (op == "TensorListFromTensor") {
      TensorList& list = list_out(io, 0);
      list.element_dtype = dtype;
      const TensorView& tensor = io.input(0);
      list.element_shape.assign(tensor.shape.dim + 1, tensor.shape.dim + tensor.shape.rank);
      for (int64_t k = 0; k < (tensor.shape.rank > 0 ? tensor.shape[0] : 0); ++k) list.elements.push_back(slice_of(tensor, k));
      return Status::ok();
    }
    const TensorList& list = list_in(io, 0);
    if (op == "TensorListSetItem") {
      TensorList& out = list_out(io, 0);
      out = list;
      return set_element(out, integer_at(io.input(1), 0), whole(io.input(2)), where);
    }
    if (op == "TensorListPushBack") {
      TensorList& out = list_out(io, 0);
      out = list;
      out.elements.push_back(whole(io.input(1)));
      return Status::ok();
    }
    if (op == "TensorListPopBack") {
      TensorList& out = list_out(io, 0);
      out = list;
      const auto& last = out.elements.back();
      std::memcpy(io.output(1).data, last.bytes.data, io.output(1).size_bytes());
      out.elements.pop_back();
      return Status::ok();
    }
    if (op == "TensorListGetItem") {
      const auto& element = list.elements.at(integer_at(io.input(1), 0));
      if (element.bytes.owner) std::memcpy(io.output(0).data, element.bytes.data, io.output(0).size_bytes());
      else std::memset(io.output(0).data, 0, io.output(0).size_bytes());
      return Status::ok();
    }
    if (op == "TensorListLength") {
      io.output(0).as<int32_t>()[0] = static_cast<int32_t>(list.elements.size());
      return Status::ok();
    }
    if (op == "TensorListStack") {
      stack_into(list, io.input(0), true, io.output(0));
      return Status::ok();
    }
    if (op == "TensorListGather") {
      stack_into(list, io.input(1), false, io.output(0));
      return Status::ok();
    }
    return unsupported("{}: {} is not supported", where, op);
  });
}

// While runs its cond and body subgraphs through the runtime's interpreter
// (runtime/while_step.cc); it is never a plain kernel.
Expected<KernelPtr> make_while_loop(const KernelContext& context) {
  return internal_error("{}: While is run by the runtime, not as a kernel", context.where());
}

}  // namespace leanrt::kernels::ref
