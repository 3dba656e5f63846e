#include "leanrt/import/tf/crc32c.h"

#include <array>
#include <cstring>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

namespace leanrt::importer::crc32c {
#if !defined(__SSE4_2__)
namespace {

// Reflected CRC-32C polynomial.
constexpr uint32_t kPolynomial = 0x82f63b78u;

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? kPolynomial : 0u);
    table[byte] = crc;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = make_table();

}  // namespace
#endif

uint32_t extend(uint32_t crc, const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  uint32_t state = ~crc;
#if defined(__SSE4_2__)
  // The SSE4.2 crc32 instruction computes exactly this polynomial; every
  // x86-64-v3 machine has it, and it checks weights at memory speed.
  uint64_t wide = state;
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, bytes, 8);
    wide = _mm_crc32_u64(wide, word);
    bytes += 8;
    size -= 8;
  }
  state = static_cast<uint32_t>(wide);
  while (size > 0) {
    state = _mm_crc32_u8(state, *bytes++);
    --size;
  }
#else
  while (size > 0) {
    state = kTable[(state ^ *bytes++) & 0xffu] ^ (state >> 8);
    --size;
  }
#endif
  return ~state;
}

}  // namespace leanrt::importer::crc32c
