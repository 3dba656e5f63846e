#include "leanrt/import/tf/tensor_proto.h"

#include "leanrt/import/tf/tensor_size.h"

#include <cstring>
#include <memory>


namespace leanrt::importer {
namespace {

// Writes `values` (converted to T) into `count` elements, repeating the last
// value to fill the shape.
template <typename T, typename List>
ConstBytes fill_from_list(const List& values, size_t count) {
  AlignedBuffer buffer(count * sizeof(T));
  T* out = reinterpret_cast<T*>(buffer.data());
  const size_t given = static_cast<size_t>(values.size());
  for (size_t i = 0; i < count; ++i) {
    if (given == 0) out[i] = T{};
    else out[i] = static_cast<T>(values[static_cast<int>(std::min(i, given - 1))]);
  }
  return ConstBytes::own(std::move(buffer));
}

// HALF values arrive as bit patterns in half_val (int32 each).
ConstBytes fill_halves(const google::protobuf::RepeatedField<int32_t>& values, size_t count) {
  AlignedBuffer buffer(count * sizeof(uint16_t));
  auto* out = reinterpret_cast<uint16_t*>(buffer.data());
  const size_t given = static_cast<size_t>(values.size());
  for (size_t i = 0; i < count; ++i)
    out[i] = given == 0 ? 0 : static_cast<uint16_t>(values[static_cast<int>(std::min(i, given - 1))]);
  return ConstBytes::own(std::move(buffer));
}

// How many values the typed list for `dtype` holds.
int typed_value_count(const tfproto::TensorProto& proto, DType dtype) {
  switch (dtype) {
    case DType::kF32: return proto.float_val_size();
    case DType::kF64: return proto.double_val_size();
    case DType::kF16: return proto.half_val_size();
    case DType::kI8: case DType::kU8: case DType::kI16: case DType::kU16: case DType::kI32:
      return proto.int_val_size();
    case DType::kI64: return proto.int64_val_size();
    case DType::kU32: return proto.uint32_val_size();
    case DType::kU64: return proto.uint64_val_size();
    case DType::kBool: return proto.bool_val_size();
    default: return 0;
  }
}

ConstBytes from_typed_list(const tfproto::TensorProto& proto, DType dtype, size_t count) {
  switch (dtype) {
    case DType::kF32: return fill_from_list<float>(proto.float_val(), count);
    case DType::kF64: return fill_from_list<double>(proto.double_val(), count);
    case DType::kF16: return fill_halves(proto.half_val(), count);
    case DType::kI8: return fill_from_list<int8_t>(proto.int_val(), count);
    case DType::kU8: return fill_from_list<uint8_t>(proto.int_val(), count);
    case DType::kI16: return fill_from_list<int16_t>(proto.int_val(), count);
    case DType::kU16: return fill_from_list<uint16_t>(proto.int_val(), count);
    case DType::kI32: return fill_from_list<int32_t>(proto.int_val(), count);
    case DType::kI64: return fill_from_list<int64_t>(proto.int64_val(), count);
    case DType::kU32: return fill_from_list<uint32_t>(proto.uint32_val(), count);
    case DType::kU64: return fill_from_list<uint64_t>(proto.uint64_val(), count);
    default: return fill_from_list<bool>(proto.bool_val(), count);
  }
}

// Takes the string over: the bytes stay where protobuf put them (heap memory
// aligned for any scalar), owned by the returned ConstBytes.
ConstBytes take_content(std::string&& content) {
  auto owner = std::make_shared<std::string>(std::move(content));
  ConstBytes bytes;
  bytes.data = reinterpret_cast<const std::byte*>(owner->data());
  bytes.size_bytes = owner->size();
  bytes.owner = std::move(owner);
  return bytes;
}

}  // namespace

Shape read_shape_proto(const tfproto::TensorShapeProto& proto) {
  Shape shape;
  for (const auto& dim : proto.dim()) shape.push_back(dim.size() < 0 ? kUnknownDim : dim.size());
  return shape;
}

Expected<ConstTensor> read_tensor_proto(tfproto::TensorProto&& proto) {
  ConstTensor tensor;
  const std::string dtype_label = tfproto::DataType_Name(proto.dtype());
  auto dtype = dtype_from_tf_enum(proto.dtype());
  if (!dtype) return unsupported("tensor of dtype {}: leanrt does not support it yet", dtype_label);
  tensor.dtype = *dtype;
  if (proto.tensor_shape().unknown_rank()) return invalid_model("constant tensor has an unknown rank");
  tensor.shape = read_shape_proto(proto.tensor_shape());
  if (!is_fully_known(tensor.shape))
    return invalid_model("constant tensor has shape {}: expected every dim known", shape_string(tensor.shape));
  if (*dtype == DType::kString) return tensor;  // kept as a marker; no kernel reads strings
  const size_t element_bytes = dtype_size(*dtype);
  if (element_bytes == 0) return unsupported("constant of dtype {}: leanrt does not support it yet", dtype_label);
  const auto checked_bytes = checked_byte_size(tensor.shape, element_bytes, kMaxExpandedConstantBytes);
  if (!checked_bytes)
    return unsupported("constant of shape {} {} is larger than {} bytes", shape_string(tensor.shape),
                       dtype_name(*dtype), kMaxExpandedConstantBytes);
  const size_t expected_bytes = static_cast<size_t>(*checked_bytes);
  const size_t count = expected_bytes / element_bytes;
  if (!proto.tensor_content().empty() || count == 0) {
    if (proto.tensor_content().size() != expected_bytes)
      return invalid_model("tensor_content has {} bytes, expected {} for {} {}", proto.tensor_content().size(),
                           expected_bytes, shape_string(tensor.shape), dtype_name(*dtype));
    tensor.bytes = take_content(std::move(*proto.mutable_tensor_content()));
    return tensor;
  }
  const int given = typed_value_count(proto, *dtype);
  if (static_cast<size_t>(given) > count)
    return invalid_model("{} values for {} {}: expected at most {}", given, shape_string(tensor.shape),
                         dtype_name(*dtype), count);
  tensor.bytes = from_typed_list(proto, *dtype, count);
  return tensor;
}

}  // namespace leanrt::importer
