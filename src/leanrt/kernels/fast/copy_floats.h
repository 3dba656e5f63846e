// Short float copies without a library call. Data-movement kernels copy
// many runs of a few floats (a concat's 1- or 16-channel slab, a pad's
// interior row, a resized pixel): memcpy's call and size dispatch cost more
// than such a copy.
//
//   copy_floats(target, source, count);  // like memcpy of count floats
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace leanrt::kernels::fast {

// Copies `count` floats; the two ranges must not overlap. Moves bits, as
// memcpy does (a NaN's payload survives). Runs not a multiple of the vector
// width end with one vector overlapping the previous one, instead of a
// scalar tail.
inline void copy_floats(float* target, const float* source, int64_t count) {
#if defined(__AVX__)
  if (count >= 8) {
    if (count >= 256) {  // long runs: the library's copy (alignment, wide stores) is as good or better
      std::memcpy(target, source, static_cast<size_t>(count) * sizeof(float));
      return;
    }
    const __m256 last = _mm256_loadu_ps(source + count - 8);
    float* target_last = target + count - 8;
    for (; count > 8; count -= 8, target += 8, source += 8) _mm256_storeu_ps(target, _mm256_loadu_ps(source));
    _mm256_storeu_ps(target_last, last);
    return;
  }
  if (count >= 4) {
    const __m128 first = _mm_loadu_ps(source), last = _mm_loadu_ps(source + count - 4);
    _mm_storeu_ps(target, first);
    _mm_storeu_ps(target + count - 4, last);
    return;
  }
  if (count >= 2) {
    uint64_t first, last;
    std::memcpy(&first, source, sizeof(first));
    std::memcpy(&last, source + count - 2, sizeof(last));
    std::memcpy(target, &first, sizeof(first));
    std::memcpy(target + count - 2, &last, sizeof(last));
    return;
  }
  if (count == 1) std::memcpy(target, source, sizeof(float));
#else
  std::memcpy(target, source, static_cast<size_t>(count) * sizeof(float));
#endif
}

}  // namespace leanrt::kernels::fast
