// Element conversion between the dtype a file holds and the dtype a model
// input declares, done per batch so a float64 or uint8 dataset never needs a
// converted copy on disk or in memory.
//
// What converts (numpy's astype for these cases, minus the lossy ones):
//   integer or float -> any float type      (rounded to nearest, as astype)
//   integer -> integer                      (checked per value: out of range is an error)
//   bool -> bool
// Float -> integer is refused (it would silently drop fractions), and bool
// does not mix with numbers (a mask given for pixels is usually the wrong file).
//
//   if (!can_convert(DType::kF64, DType::kF32)) ...;
//   LEANRT_ASSIGN_OR_RETURN(int64_t bad, convert_elements(src, DType::kF64, dst, DType::kF32, count));
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "leanrt/base/dtype.h"
#include "leanrt/base/status.h"

namespace leanrt::data {

bool can_convert(DType from, DType to);

// Why `from` does not convert to `to`, for error messages ("float to integer
// would drop fractions"); empty when it converts.
std::string conversion_refusal(DType from, DType to);

// Converts `count` elements. Returns the index of the first integer that does
// not fit `to` (nothing after it is written), or nullopt when all converted.
// Requires can_convert(from, to).
std::optional<int64_t> convert_elements(const void* source, DType from, void* destination, DType to, int64_t count);

// The value at `index` of an array of `dtype`, as text (for error messages).
std::string element_text(const void* data, DType dtype, int64_t index);

}  // namespace leanrt::data
