// Element types leanrt stores and computes with, and their sizes and names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace leanrt {

enum class DType : uint8_t {
  kInvalid = 0,
  kF32,
  kF64,
  kF16,
  kI8,
  kU8,
  kI16,
  kU16,
  kI32,
  kU32,
  kI64,
  kU64,
  kBool,
  kString,    // variable-length byte strings (TensorFlow DT_STRING); never in the arena
  kResource,  // a TensorFlow resource handle (variables); resolved at import
  kVariant,   // a TensorFlow variant (TensorList); resolved by the dynamic runtime
};

// Bytes per element; 0 for kInvalid, kString, kResource and kVariant.
size_t dtype_size(DType dtype);
// numpy-style short name: "float32", "int32", "bool", ...
std::string_view dtype_name(DType dtype);
std::optional<DType> dtype_from_name(std::string_view name);
// TensorFlow DataType enum value (DT_FLOAT = 1, ...), as in types.proto.
std::optional<DType> dtype_from_tf_enum(int tf_enum);
// TensorFlow DataType name as used in TF.js JSON ("DT_FLOAT").
std::optional<DType> dtype_from_tf_name(std::string_view name);
bool dtype_is_float(DType dtype);
bool dtype_is_integer(DType dtype);

template <typename T>
constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::kF32; }
template <> constexpr DType dtype_of<double>() { return DType::kF64; }
template <> constexpr DType dtype_of<int8_t>() { return DType::kI8; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::kU8; }
template <> constexpr DType dtype_of<int16_t>() { return DType::kI16; }
template <> constexpr DType dtype_of<uint16_t>() { return DType::kU16; }
template <> constexpr DType dtype_of<int32_t>() { return DType::kI32; }
template <> constexpr DType dtype_of<uint32_t>() { return DType::kU32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::kI64; }
template <> constexpr DType dtype_of<uint64_t>() { return DType::kU64; }
template <> constexpr DType dtype_of<bool>() { return DType::kBool; }

}  // namespace leanrt
