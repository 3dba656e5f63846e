// Byte sizes of tensors described by untrusted files, without overflow: a
// corrupt shape must give an error, not a wrapped-around size or an
// allocation the machine cannot make.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "leanrt/base/shape.h"

namespace leanrt::importer {

// The largest constant an importer expands in memory from a short
// description (a TensorProto's single value filling its shape).
constexpr uint64_t kMaxExpandedConstantBytes = uint64_t{4} << 30;

// elements x element_bytes, or nullopt when a dim is negative or the
// product exceeds `limit`.
inline std::optional<uint64_t> checked_byte_size(const Shape& shape, size_t element_bytes, uint64_t limit) {
  uint64_t bytes = element_bytes;
  for (int64_t dim : shape) {
    if (dim < 0) return std::nullopt;
    if (dim != 0 && bytes > limit / static_cast<uint64_t>(dim)) return std::nullopt;
    bytes *= static_cast<uint64_t>(dim);
  }
  if (bytes > limit) return std::nullopt;
  return bytes;
}

}  // namespace leanrt::importer
