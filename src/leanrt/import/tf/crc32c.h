// CRC-32C (Castagnoli), as LevelDB tables and TensorFlow tensor bundles store
// it: block trailers and BundleEntryProto.crc32c hold the *masked* value, so
// that a CRC of data that itself contains CRCs stays well distributed.
//
//   uint32_t crc = crc32c::extend(0, bytes, size);
//   if (crc32c::mask(crc) != stored) ...
#pragma once

#include <cstddef>
#include <cstdint>

namespace leanrt::importer::crc32c {

// Continues `crc` (0 to start) over `size` bytes.
uint32_t extend(uint32_t crc, const void* data, size_t size);

inline uint32_t value(const void* data, size_t size) { return extend(0, data, size); }

// LevelDB's mask: rotate right by 15 bits and add a constant.
inline uint32_t mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

}  // namespace leanrt::importer::crc32c
