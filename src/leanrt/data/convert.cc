#include "leanrt/data/convert.h"

#include <cstring>
#include <limits>
#include <type_traits>

#include <fmt/format.h>

#include "leanrt/base/half.h"

namespace leanrt::data {
namespace {

bool is_number(DType dtype) { return dtype_is_float(dtype) || dtype_is_integer(dtype); }

// float16 storage, distinct from uint16_t so that overloads can tell them apart.
struct Half {
  uint16_t bits;
};

template <typename T>
constexpr bool is_float_like = std::is_floating_point_v<T> || std::is_same_v<T, Half>;

// Calls `body(T{})` with T the C++ type of `dtype`.
template <typename Body>
void with_type(DType dtype, Body&& body) {
  switch (dtype) {
    case DType::kF32: body(float{}); break;
    case DType::kF64: body(double{}); break;
    case DType::kF16: body(Half{}); break;
    case DType::kI8: body(int8_t{}); break;
    case DType::kU8: body(uint8_t{}); break;
    case DType::kI16: body(int16_t{}); break;
    case DType::kU16: body(uint16_t{}); break;
    case DType::kI32: body(int32_t{}); break;
    case DType::kU32: body(uint32_t{}); break;
    case DType::kI64: body(int64_t{}); break;
    case DType::kU64: body(uint64_t{}); break;
    case DType::kBool: body(bool{}); break;
    default: break;
  }
}

// One value to a float type; float16 goes through float32.
template <typename From, typename To>
To to_float(From value) {
  if constexpr (std::is_same_v<From, Half>) return to_float<float, To>(half_to_float(value.bits));
  else if constexpr (std::is_same_v<To, Half>) return Half{float_to_half(static_cast<float>(value))};
  else return static_cast<To>(value);
}

template <typename From, typename To>
void convert_to_float(const From* source, To* destination, int64_t count) {
  for (int64_t i = 0; i < count; ++i) destination[i] = to_float<From, To>(source[i]);
}

// Integer to integer: every value is range-checked, since int64 token ids
// fed to an int32 input are common and must not wrap silently.
template <typename From, typename To>
std::optional<int64_t> convert_integers(const From* source, To* destination, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    const From value = source[i];
    if (!std::in_range<To>(value)) return i;
    destination[i] = static_cast<To>(value);
  }
  return std::nullopt;
}

}  // namespace

bool can_convert(DType from, DType to) { return conversion_refusal(from, to).empty(); }

std::string conversion_refusal(DType from, DType to) {
  if (from == to) return "";
  if (from == DType::kBool || to == DType::kBool)
    return fmt::format("bool does not convert to or from numbers ({} to {})", dtype_name(from), dtype_name(to));
  if (!is_number(from) || !is_number(to))
    return fmt::format("no conversion from {} to {}", dtype_name(from), dtype_name(to));
  if (dtype_is_float(from) && dtype_is_integer(to))
    return fmt::format("{} to {} would drop fractions (convert it with numpy first if that is meant)",
                       dtype_name(from), dtype_name(to));
  return "";
}

std::optional<int64_t> convert_elements(const void* source, DType from, void* destination, DType to, int64_t count) {
  if (from == to) {
    std::memcpy(destination, source, static_cast<size_t>(count) * dtype_size(from));
    return std::nullopt;
  }
  std::optional<int64_t> first_bad;
  with_type(from, [&](auto from_tag) {
    using From = decltype(from_tag);
    with_type(to, [&](auto to_tag) {
      using To = decltype(to_tag);
      const From* input = static_cast<const From*>(source);
      To* output = static_cast<To*>(destination);
      if constexpr (std::is_same_v<From, bool> || std::is_same_v<To, bool>) {
        // Refused by can_convert: bool does not mix with numbers.
      } else if constexpr (is_float_like<To>) {
        convert_to_float(input, output, count);
      } else if constexpr (std::is_integral_v<From> && std::is_integral_v<To>) {
        first_bad = convert_integers(input, output, count);
      }
    });
  });
  return first_bad;
}

std::string element_text(const void* data, DType dtype, int64_t index) {
  std::string text;
  with_type(dtype, [&](auto tag) {
    using T = decltype(tag);
    const T value = static_cast<const T*>(data)[index];
    if constexpr (std::is_same_v<T, Half>) text = fmt::format("{}", half_to_float(value.bits));
    else text = fmt::format("{}", value);
  });
  return text;
}

}  // namespace leanrt::data
