// The one threading helper of the fast data-movement kernels: a static split
// of [0, rows) over the OpenMP threads, so each thread walks one contiguous
// range (and may keep an odometer instead of dividing per row).
//
//   parallel_rows(rows, bytes_moved, [&](int64_t begin, int64_t end) { ... });
#pragma once

#include <omp.h>

#include <cstdint>

namespace leanrt::kernels::fast {

// Below this many bytes moved, a fork/join of the OpenMP team costs about
// what spreading the work saves. Measured on 2 idle cores (AMD EPYC): two
// threads win from ~64 KiB for Transpose and ResizeBilinear, from ~144 KiB
// for the plain copies of Pad and ConcatV2. On a loaded machine any OpenMP
// region can wait a scheduler slice for its second thread, so fewer is safer.
inline constexpr int64_t kParallelBytes = 128 * 1024;

// Calls body(begin, end) on disjoint ranges covering [0, rows): one per
// thread when `bytes` is at least kParallelBytes, else once on this thread
// (a plain call: no serial OpenMP region, whose team libgomp would set up
// each time). Allocates nothing once libgomp has its team.
template <typename Body>
void parallel_rows(int64_t rows, int64_t bytes, const Body& body) {
  if (rows <= 0) return;
  if (rows == 1 || bytes < kParallelBytes || omp_get_max_threads() == 1) {
    body(int64_t{0}, rows);
    return;
  }
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads();
    const int64_t thread = omp_get_thread_num();
    const int64_t begin = rows * thread / threads;
    const int64_t end = rows * (thread + 1) / threads;
    if (begin < end) body(begin, end);
  }
}

}  // namespace leanrt::kernels::fast
