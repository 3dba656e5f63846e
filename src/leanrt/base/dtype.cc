#include "leanrt/base/dtype.h"

#include <array>

namespace leanrt {
namespace {

struct DTypeInfo {
  DType dtype;
  size_t bytes;
  std::string_view name;     // numpy name
  std::string_view tf_name;  // TensorFlow DataType name
  int tf_enum;               // TensorFlow DataType value
};

// One row per dtype; every lookup below derives from this table.
constexpr std::array<DTypeInfo, 16> kDTypes{{
    {DType::kInvalid, 0, "invalid", "DT_INVALID", 0},
    {DType::kF32, 4, "float32", "DT_FLOAT", 1},
    {DType::kF64, 8, "float64", "DT_DOUBLE", 2},
    {DType::kF16, 2, "float16", "DT_HALF", 19},
    {DType::kI8, 1, "int8", "DT_INT8", 6},
    {DType::kU8, 1, "uint8", "DT_UINT8", 4},
    {DType::kI16, 2, "int16", "DT_INT16", 5},
    {DType::kU16, 2, "uint16", "DT_UINT16", 17},
    {DType::kI32, 4, "int32", "DT_INT32", 3},
    {DType::kU32, 4, "uint32", "DT_UINT32", 22},
    {DType::kI64, 8, "int64", "DT_INT64", 9},
    {DType::kU64, 8, "uint64", "DT_UINT64", 23},
    {DType::kBool, 1, "bool", "DT_BOOL", 10},
    {DType::kString, 0, "string", "DT_STRING", 7},
    {DType::kResource, 0, "resource", "DT_RESOURCE", 20},
    {DType::kVariant, 0, "variant", "DT_VARIANT", 21},
}};

const DTypeInfo& info(DType dtype) {
  for (const auto& row : kDTypes)
    if (row.dtype == dtype) return row;
  return kDTypes[0];
}

}  // namespace

size_t dtype_size(DType dtype) { return info(dtype).bytes; }
std::string_view dtype_name(DType dtype) { return info(dtype).name; }

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const auto& row : kDTypes)
    if (row.name == name && row.dtype != DType::kInvalid) return row.dtype;
  return std::nullopt;
}

std::optional<DType> dtype_from_tf_enum(int tf_enum) {
  if (tf_enum > 100) tf_enum -= 100;  // *_REF types carry the same data
  for (const auto& row : kDTypes)
    if (row.tf_enum == tf_enum && row.dtype != DType::kInvalid) return row.dtype;
  return std::nullopt;
}

std::optional<DType> dtype_from_tf_name(std::string_view name) {
  if (name.ends_with("_REF")) name.remove_suffix(4);
  for (const auto& row : kDTypes)
    if (row.tf_name == name && row.dtype != DType::kInvalid) return row.dtype;
  return std::nullopt;
}

bool dtype_is_float(DType dtype) {
  return dtype == DType::kF32 || dtype == DType::kF64 || dtype == DType::kF16;
}

bool dtype_is_integer(DType dtype) {
  switch (dtype) {
    case DType::kI8: case DType::kU8: case DType::kI16: case DType::kU16:
    case DType::kI32: case DType::kU32: case DType::kI64: case DType::kU64:
      return true;
    default:
      return false;
  }
}

}  // namespace leanrt
