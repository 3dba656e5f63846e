#include "fma_peak.h"

#include <immintrin.h>
#include <omp.h>

#include <chrono>

namespace {

constexpr long kIterations = 20'000'000;
// 12 independent accumulators: FMA latency 4 cycles x 2 pipes needs >= 8.
constexpr int kChains = 12;

__attribute__((target("avx512f"))) double fma_loop_avx512(long iterations) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(static_cast<float>(c) * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long i = 0; i < iterations; ++i)
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  // Summed through memory: GCC 12's _mm512_reduce_add_ps warns of an
  // uninitialized temporary in its own header.
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  double total = 0;
  for (float lane : lanes) total += lane;
  return total;
}

__attribute__((target("avx2,fma"))) double fma_loop_avx2(long iterations) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(static_cast<float>(c) * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long i = 0; i < iterations; ++i)
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  float lanes[8];
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm256_add_ps(sum, acc[c]);
  _mm256_storeu_ps(lanes, sum);
  double total = 0;
  for (float lane : lanes) total += lane;
  return total;
}

}  // namespace

FmaPeak measure_fma_peak(int threads) {
  FmaPeak peak;
  peak.threads = threads;
  const bool avx512 = __builtin_cpu_supports("avx512f");
  peak.vector_bits = avx512 ? 512 : 256;
  const int lanes = peak.vector_bits / 32;
  double sink = 0.0;  // the results are summed so the loops cannot be dropped
  const auto start = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads)
  {
    const double result = avx512 ? fma_loop_avx512(kIterations) : fma_loop_avx2(kIterations);
#pragma omp atomic
    sink += result;
  }
  asm volatile("" : : "r"(sink));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double flops = 2.0 * lanes * kChains * static_cast<double>(kIterations) * threads;
  peak.gflops = flops / seconds * 1e-9;
  return peak;
}
