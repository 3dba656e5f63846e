// The machine's measured float32 FMA peak: every thread runs independent
// chains of AVX-512 (or AVX2 where AVX-512 is missing) fused multiply-adds,
// enough chains to cover the FMA latency on every FMA pipe.
#pragma once

struct FmaPeak {
  double gflops = 0.0;  // all threads together
  int threads = 0;
  int vector_bits = 0;
};

FmaPeak measure_fma_peak(int threads);
