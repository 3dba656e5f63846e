// Fast float32 elementwise kernels: binary arithmetic with TF broadcasting
// (Add, AddV2, BiasAdd, Sub, Mul, RealDiv, Maximum, Minimum,
// SquaredDifference) and the piecewise-linear activations (Relu, Relu6,
// LeakyRelu, Abs, Neg, Square).
//
// These replace oneDNN's binary and eltwise primitives, which cost a JIT
// kernel each (about 68 KiB of code and state per distinct primitive, more
// than the tensor itself in most of the corpus' squeeze-excite and
// hard-swish blocks) for no speed: the loops below are memory-bound, the
// compiler vectorises them (x86-64-v3) and OpenMP spreads the rows. Each
// computes the reference's expression element by element, so results are
// bit-identical. Transcendental activations (Sigmoid, Tanh, Exp, Elu) stay
// on oneDNN, whose JIT vectorises exp.
#include <algorithm>

#include "leanrt/kernels/fast/fast.h"
#include "leanrt/kernels/fast/parallel_rows.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::fast {
namespace {

// Runs `fn` over every element of a broadcast binary op: the innermost runs
// split over the threads, each run's loop specialised on which operand
// advances, so the common forms (same shape, a per-channel or scalar
// operand) are unit-stride loops.
template <typename Fn>
void broadcast_runs(const ref::BroadcastWalk& walk, const float* a, const float* b, float* out, int64_t elements,
                    Fn fn) {
  const int64_t runs = walk.runs();
  const int64_t bytes = elements * static_cast<int64_t>(3 * sizeof(float));
  parallel_rows(runs, bytes, [&](int64_t first, int64_t last) {
    walk.for_each_run(first, last, [&](int64_t out_offset, const int64_t* offsets, int64_t count, const int64_t* steps) {
      const float* a_run = a + offsets[0];
      const float* b_run = b + offsets[1];
      float* out_run = out + out_offset;
      if (steps[0] == 1 && steps[1] == 1) {
#pragma omp simd
        for (int64_t i = 0; i < count; ++i) out_run[i] = fn(a_run[i], b_run[i]);
      } else if (steps[0] == 1 && steps[1] == 0) {
        const float b_value = *b_run;
#pragma omp simd
        for (int64_t i = 0; i < count; ++i) out_run[i] = fn(a_run[i], b_value);
      } else if (steps[0] == 0 && steps[1] == 1) {
        const float a_value = *a_run;
#pragma omp simd
        for (int64_t i = 0; i < count; ++i) out_run[i] = fn(a_value, b_run[i]);
      } else {
        for (int64_t i = 0; i < count; ++i) out_run[i] = fn(a_run[i * steps[0]], b_run[i * steps[1]]);
      }
    });
  });
}

// A per-channel operand with fewer channels than a vector holds: its runs
// are one value per channel, too short for the loop above (meet's last Add,
// a 2-channel bias over [1, 256, 144, 2], took 135 us in 36,864 runs of 2).
// Along the flat output such an operand repeats with period C, so it is
// tiled on the stack into a pattern of whole periods (at least 64 floats)
// and the full operand streams past the pattern.
constexpr int64_t kShortChannels = 16;
constexpr int64_t kPatternFloats = 64;

// The operand (0 or 1) holding one value per output channel, or -1: the
// other operand has the output's shape and the channels are few.
int short_channel_operand(const KernelContext& context) {
  const Shape& out = context.output(0).shape;
  if (out.empty() || out.back() >= kShortChannels || out.back() < 1) return -1;
  for (int k = 0; k < 2; ++k) {
    const Shape& vector = context.input(k).shape;
    if (context.input(1 - k).shape != out || vector.empty() || vector.back() != out.back()) continue;
    if (num_elements(vector) == out.back()) return k;  // [C] or [1, ..., 1, C]
  }
  return -1;
}

template <typename Fn>
Expected<KernelPtr> tiled_channel_kernel(const KernelContext& context, int vector_operand, Fn fn) {
  const int64_t channels = context.output(0).shape.back();
  const int64_t elements = num_elements(context.output(0).shape);
  const int64_t period = channels * ((kPatternFloats + channels - 1) / channels);
  const int64_t chunks = (elements + period - 1) / period;
  return ref::make_kernel(ref::snake_case(context.node().op) + "_f32_fast", [=](const KernelIO& io) {
    const float* vector = io.input(vector_operand).as<const float>();
    const float* full = io.input(1 - vector_operand).as<const float>();
    float* out = io.output(0).as<float>();
    float pattern[kPatternFloats + kShortChannels];
    for (int64_t i = 0; i < period; ++i) pattern[i] = vector[i % channels];
    parallel_rows(chunks, elements * static_cast<int64_t>(2 * sizeof(float)), [&](int64_t first, int64_t last) {
      for (int64_t chunk = first; chunk < last; ++chunk) {
        const int64_t base = chunk * period, count = std::min(period, elements - base);
        // Operand order kept: fn(a, b) as the reference computes it.
        if (vector_operand == 1) {
#pragma omp simd
          for (int64_t i = 0; i < count; ++i) out[base + i] = fn(full[base + i], pattern[i]);
        } else {
#pragma omp simd
          for (int64_t i = 0; i < count; ++i) out[base + i] = fn(pattern[i], full[base + i]);
        }
      }
    });
    return Status::ok();
  });
}

template <typename Fn>
Expected<KernelPtr> binary_kernel(const KernelContext& context, Fn fn) {
  if (const int vector_operand = short_channel_operand(context); vector_operand >= 0)
    return tiled_channel_kernel(context, vector_operand, fn);
  const Shape& out = context.output(0).shape;
  const ref::BroadcastWalk walk(Dims::from(out),
                                {Dims::from(context.input(0).shape), Dims::from(context.input(1).shape)});
  const int64_t elements = num_elements(out);
  return ref::make_kernel(ref::snake_case(context.node().op) + "_f32_fast", [walk, elements, fn](const KernelIO& io) {
    broadcast_runs(walk, io.input(0).as<const float>(), io.input(1).as<const float>(), io.output(0).as<float>(),
                   elements, fn);
    return Status::ok();
  });
}

template <typename Fn>
Expected<KernelPtr> unary_kernel(const KernelContext& context, Fn fn) {
  const int64_t elements = num_elements(context.output(0).shape);
  // Rows of 16 KiB: whole cache lines per thread, few enough to split evenly.
  constexpr int64_t kRow = 4096;
  const int64_t rows = (elements + kRow - 1) / kRow;
  return ref::make_kernel(ref::snake_case(context.node().op) + "_f32_fast", [=](const KernelIO& io) {
    const float* in = io.input(0).as<const float>();
    float* out = io.output(0).as<float>();
    parallel_rows(rows, elements * static_cast<int64_t>(2 * sizeof(float)), [&](int64_t first, int64_t last) {
      const int64_t begin = first * kRow, end = std::min(last * kRow, elements);
#pragma omp simd
      for (int64_t i = begin; i < end; ++i) out[i] = fn(in[i]);
    });
    return Status::ok();
  });
}

bool all_f32(const KernelContext& context) {
  for (int i = 0; i < context.num_inputs(); ++i)
    if (context.input(i).dtype != DType::kF32) return false;
  return context.output(0).dtype == DType::kF32;
}

}  // namespace

Expected<KernelPtr> make_binary(const KernelContext& context, const KernelOptions&) {
  if (context.num_inputs() != 2 || !all_f32(context)) return KernelPtr();
  if (context.output(0).shape.size() > static_cast<size_t>(kMaxRank)) return KernelPtr();
  const std::string& op = context.node().op;
  // NCHW BiasAdd adds along axis 1, not as TF broadcasting would.
  if (op == "BiasAdd" && context.attrs().get_or<std::string>("data_format", "NHWC") == "NCHW") return KernelPtr();
  // The reference's expressions (kernels/ref/binary.cc), operand order kept.
  if (op == "Add" || op == "AddV2" || op == "BiasAdd")
    return binary_kernel(context, [](float x, float y) { return x + y; });
  if (op == "Sub") return binary_kernel(context, [](float x, float y) { return x - y; });
  if (op == "Mul") return binary_kernel(context, [](float x, float y) { return x * y; });
  if (op == "RealDiv" || op == "Div") return binary_kernel(context, [](float x, float y) { return x / y; });
  if (op == "Maximum") return binary_kernel(context, [](float x, float y) { return x > y ? x : y; });
  if (op == "Minimum") return binary_kernel(context, [](float x, float y) { return x < y ? x : y; });
  if (op == "SquaredDifference")
    return binary_kernel(context, [](float x, float y) { return (x - y) * (x - y); });
  return KernelPtr();
}

Expected<KernelPtr> make_unary(const KernelContext& context, const KernelOptions&) {
  if (context.num_inputs() != 1 || !all_f32(context)) return KernelPtr();
  const std::string& op = context.node().op;
  // The reference's expressions (kernels/ref/unary.cc).
  if (op == "Relu") return unary_kernel(context, [](float x) { return x > 0.0f ? x : 0.0f; });
  if (op == "Relu6") return unary_kernel(context, [](float x) { return std::min(std::max(x, 0.0f), 6.0f); });
  if (op == "LeakyRelu") {
    const float alpha = context.attrs().get_or<float>("alpha", 0.2f);
    return unary_kernel(context, [alpha](float x) { return x < 0.0f ? alpha * x : x; });
  }
  if (op == "Abs") return unary_kernel(context, [](float x) { return std::abs(x); });
  if (op == "Neg") return unary_kernel(context, [](float x) { return -x; });
  if (op == "Square") return unary_kernel(context, [](float x) { return x * x; });
  return KernelPtr();
}

}  // namespace leanrt::kernels::fast
