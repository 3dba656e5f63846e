// Pointwise (1x1, stride 1) NHWC convolution as one AVX-512 GEMM:
// out[M, N] = act(in[M, K] x W[K, N] + bias (+ residual)), M = batch * H * W.
//
// Why not oneDNN: on NHWC activations oneDNN 2.6's brgemm 1x1 leaves a
// quarter of the FMA peak unused once the tensors outgrow the caches
// (nanodet's [32, 52, 52, 128] x [128, 128]: 72% of peak); its blocked
// layout reaches 93% but would need blocked activations throughout the
// model. The gap is memory latency, not arithmetic: the same tile loop
// below, timed with the next row block prefetched, runs at 85-88% there.
//
// Layout: the filter is packed once into panels of 32 output channels,
// [panel][K][32], zero-padded past N (batch norm scale folded in, the TF
// filter released afterwards). A tile is 8 rows x 32 channels (16 zmm
// accumulators), started at the bias and summed over k = 0..K-1 in order,
// so every output element is the same sum whatever the batch, the thread
// split or the tile it falls in (a stream of batches and one batch at a
// time agree bit for bit). Threads take contiguous ranges of tiles, row
// blocks outermost, so a row block stays in L1 across its panels.
//
// The epilogue runs on the accumulators: residual before or after the
// activation, and Relu, Relu6, LeakyRelu, Prelu or HardSwish. Other
// activations, and CPUs without AVX-512 (F and VL), are left to oneDNN.
// Measured against oneDNN in the same models (bench/README.md): batch 32
// nanodet 72% -> 85% of peak; batch 1 within +-5% on most models, 8-16%
// faster on facemesh, iris and mobilenet-v1; and each oneDNN primitive it
// replaces no longer holds JIT code and heap state (0.1-2.1 MiB less peak).

// GCC 12 reports the _mm512_undefined_ps() inside _mm512_max_ps / _min_ps
// as maybe-uninitialized (a false positive of its intrinsic headers).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/fast/fast.h"
#include "leanrt/kernels/onednn/fused_tail.h"
#include "leanrt/kernels/ref/epilogue.h"

namespace leanrt::kernels::fast {
namespace {

using ref::Activation;

constexpr int kTileRows = 8;
constexpr int kPanel = 32;  // output channels per packed panel: two zmm

// How a tile writes its output. An output of kLargeTensorBytes and more
// cannot stay in the caches for the next step, so it is written past them:
// streamed (non-temporal stores of whole lines, when every row starts on a
// line) or else with the next row block's lines prefetched for writing, so
// the read that precedes a plain store overlaps the arithmetic. Both cost
// time on smaller outputs, whose lines the next step finds in L2 (prefetching
// them for writing made blazeface's batch-1 1x1 convs 3x slower: the lines
// were pulled from the other core).
enum class Store { kCached, kStreamed, kPrefetched };
constexpr int64_t kLargeTensorBytes = int64_t{16} << 20;

// What a tile needs besides its operands; channel arrays are padded to whole panels.
struct TailParams {
  Activation activation = Activation::kNone;
  float alpha = 0.0f;            // LeakyRelu slope, HardSwish scale
  const float* bias = nullptr;   // [padded N]
  const float* alphas = nullptr; // Prelu, [padded N]
  bool residual_after_activation = false;
};

template <Activation kActivation>
__attribute__((target("avx512f,avx512vl"), always_inline)) inline __m512 activate(__m512 x, __m512 alphas, __m512 scale) {
  const __m512 zero = _mm512_setzero_ps();
  if constexpr (kActivation == Activation::kRelu) return _mm512_max_ps(x, zero);
  if constexpr (kActivation == Activation::kRelu6) return _mm512_min_ps(_mm512_max_ps(x, zero), _mm512_set1_ps(6.0f));
  if constexpr (kActivation == Activation::kLeakyRelu || kActivation == Activation::kPrelu)
    return _mm512_mask_mul_ps(x, _mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ), x, alphas);
  if constexpr (kActivation == Activation::kHardSwish) {
    const __m512 gate = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(x, _mm512_set1_ps(3.0f)), zero), _mm512_set1_ps(6.0f));
    return _mm512_mul_ps(_mm512_mul_ps(x, scale), gate);
  }
  return x;
}

// One tile: `kRows` rows x (16 * kVectors) channels from `channel` on, of
// which the first `columns` are stored. `a` is the tile's first input row,
// `panel` its packed [K][32] filter panel; `residual` is null or shaped like
// the output. Everything the tile varies on is a template parameter and
// every loop over rows and vectors is unrolled, so the accumulators stay in
// registers from the bias to the store (otherwise GCC keeps them on the
// stack: 32 more stores and loads per tile, a fifth of a K = 24 tile).
template <Activation kActivation, int kRows, int kVectors, Store kStore>
__attribute__((target("avx512f,avx512vl"))) void tile(const float* a, int64_t depth, const float* panel, float* out,
                                                      const float* residual, int64_t out_stride, int64_t channel,
                                                      int columns, const TailParams& tail) {
  __m512 acc[kRows][kVectors];
  #pragma GCC unroll 16
  for (int v = 0; v < kVectors; ++v) {
    const __m512 bias = _mm512_load_ps(tail.bias + channel + 16 * v);
    #pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) acc[r][v] = bias;
  }
  // The next row block's residual lines of this panel, which the epilogue
  // would otherwise wait for (nanodet's residual 1x1 at batch 32: 16.9 ->
  // 14.3 ms), and its output lines (see Store).
  #pragma GCC unroll 16
  for (int r = kRows; r < 2 * kRows; ++r)
    #pragma GCC unroll 16
    for (int v = 0; v < kVectors; ++v) {
      const int64_t at = r * out_stride + channel + 16 * v;
      if (residual) _mm_prefetch(reinterpret_cast<const char*>(residual + at), _MM_HINT_T0);
      if (kStore == Store::kPrefetched) _mm_prefetch(reinterpret_cast<const char*>(out + at), _MM_HINT_ET0);
    }
  for (int64_t k = 0; k < depth; ++k) {
    if ((k & 15) == 0)  // the next row block's input, a line per row every 16 k
      #pragma GCC unroll 16
      for (int r = 0; r < kRows; ++r) _mm_prefetch(reinterpret_cast<const char*>(a + (r + kRows) * depth + k), _MM_HINT_T0);
    __m512 weights[kVectors];
    #pragma GCC unroll 16
    for (int v = 0; v < kVectors; ++v) weights[v] = _mm512_load_ps(panel + k * kPanel + 16 * v);
    #pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) {
      const __m512 value = _mm512_set1_ps(a[r * depth + k]);
      #pragma GCC unroll 16
      for (int v = 0; v < kVectors; ++v) acc[r][v] = _mm512_fmadd_ps(value, weights[v], acc[r][v]);
    }
  }

  __mmask16 masks[kVectors];
  __m512 alphas[kVectors];
  #pragma GCC unroll 16
  for (int v = 0; v < kVectors; ++v) {
    const int left = columns - 16 * v;
    masks[v] = left >= 16 ? __mmask16(0xffff) : __mmask16((1u << std::max(left, 0)) - 1);
    alphas[v] = tail.alphas ? _mm512_load_ps(tail.alphas + channel + 16 * v) : _mm512_set1_ps(tail.alpha);
  }
  const __m512 scale = _mm512_set1_ps(tail.alpha);
  // All of the tile's residual loads come before its first store (a load
  // overlapping a pending masked store waits for it).
  if (residual && !tail.residual_after_activation)
    #pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r)
      #pragma GCC unroll 16
      for (int v = 0; v < kVectors; ++v)
        acc[r][v] = _mm512_add_ps(acc[r][v], _mm512_maskz_loadu_ps(masks[v], residual + r * out_stride + channel + 16 * v));
  #pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r)
    #pragma GCC unroll 16
    for (int v = 0; v < kVectors; ++v) acc[r][v] = activate<kActivation>(acc[r][v], alphas[v], scale);
  if (residual && tail.residual_after_activation)
    #pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r)
      #pragma GCC unroll 16
      for (int v = 0; v < kVectors; ++v)
        acc[r][v] = _mm512_add_ps(acc[r][v], _mm512_maskz_loadu_ps(masks[v], residual + r * out_stride + channel + 16 * v));
  #pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r)
    #pragma GCC unroll 16
    for (int v = 0; v < kVectors; ++v) {
      float* at = out + r * out_stride + channel + 16 * v;
      if (kStore == Store::kStreamed) _mm512_stream_ps(at, acc[r][v]);
      else _mm512_mask_storeu_ps(at, masks[v], acc[r][v]);
    }
}

using TileFn = void (*)(const float*, int64_t, const float*, float*, const float*, int64_t, int64_t, int,
                        const TailParams&);

// A kernel's tiles, for its activation: [8, 4, 2 or 1 rows][one or two
// vectors][Store]. The rows past the last full block of 8 go as 4 + 2 + 1
// (a one-row tile runs at an eighth of the FMA rate: it loads as much
// filter per multiply-add as it computes).
struct TileSet {
  TileFn fn[4][2][3];
  TileFn get(int rows, int columns, Store store) const {
    const int by_rows = rows >= 8 ? 0 : rows >= 4 ? 1 : rows >= 2 ? 2 : 3;
    return fn[by_rows][columns > 16 ? 1 : 0][static_cast<int>(store)];
  }
};

template <Activation kActivation, int kRows, int kVectors>
void fill_stores(TileFn (&fn)[3]) {
  fn[static_cast<int>(Store::kCached)] = &tile<kActivation, kRows, kVectors, Store::kCached>;
  fn[static_cast<int>(Store::kStreamed)] = &tile<kActivation, kRows, kVectors, Store::kStreamed>;
  fn[static_cast<int>(Store::kPrefetched)] = &tile<kActivation, kRows, kVectors, Store::kPrefetched>;
}

template <Activation kActivation, int kRows>
void fill_vectors(TileFn (&fn)[2][3]) {
  fill_stores<kActivation, kRows, 1>(fn[0]);
  fill_stores<kActivation, kRows, 2>(fn[1]);
}

template <Activation kActivation>
TileSet tiles_for() {
  TileSet set;
  fill_vectors<kActivation, 8>(set.fn[0]);
  fill_vectors<kActivation, 4>(set.fn[1]);
  fill_vectors<kActivation, 2>(set.fn[2]);
  fill_vectors<kActivation, 1>(set.fn[3]);
  return set;
}

TileSet tiles_for(Activation activation) {
  switch (activation) {
    case Activation::kRelu: return tiles_for<Activation::kRelu>();
    case Activation::kRelu6: return tiles_for<Activation::kRelu6>();
    case Activation::kLeakyRelu: return tiles_for<Activation::kLeakyRelu>();
    case Activation::kPrelu: return tiles_for<Activation::kPrelu>();
    case Activation::kHardSwish: return tiles_for<Activation::kHardSwish>();
    default: return tiles_for<Activation::kNone>();
  }
}

__attribute__((target("avx512f,avx512vl"))) void store_fence() { _mm_sfence(); }

class PointwiseConvKernel final : public Kernel {
 public:
  PointwiseConvKernel(int64_t rows, int64_t depth, int64_t channels, int threads, onednn::FusedTail fused,
                      AlignedBuffer panels, AlignedBuffer channel_params, TailParams tail, std::vector<int> packed)
      : rows_(rows), depth_(depth), channels_(channels), threads_(threads), fused_(fused), panels_(std::move(panels)),
        channel_params_(std::move(channel_params)), tail_(tail), tiles_(tiles_for(tail.activation)),
        packed_(std::move(packed)) {}

  Status run(const KernelIO& io) override {
    const float* in = io.input(0).as<const float>();
    float* out = io.output(0).as<float>();
    const float* residual = fused_.residual_input >= 0 ? io.input(fused_.residual_input).as<const float>() : nullptr;
    const int64_t panels = (channels_ + kPanel - 1) / kPanel;
    const int64_t tiles = (rows_ + kTileRows - 1) / kTileRows * panels;
    const Store store = store_mode(out);
    auto run_tiles = [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        const int64_t row = t / panels * kTileRows, panel = t % panels;
        const int64_t channel = panel * kPanel;
        const int columns = static_cast<int>(std::min<int64_t>(kPanel, channels_ - channel));
        const float* weights = panel_data() + panel * depth_ * kPanel;
        for (int64_t r = row, end_row = std::min(row + kTileRows, rows_); r < end_row;) {
          const int64_t rows = end_row - r >= 8 ? 8 : end_row - r >= 4 ? 4 : end_row - r >= 2 ? 2 : 1;
          tiles_.get(static_cast<int>(rows), columns, store)(in + r * depth_, depth_, weights, out + r * channels_,
                                                             residual ? residual + r * channels_ : nullptr, channels_,
                                                             channel, columns, tail_);
          r += rows;
        }
      }
      if (store == Store::kStreamed) store_fence();  // the streamed lines reach memory before the next step reads them
    };
    // Threads take contiguous halves of the rows, as oneDNN's convolutions
    // and the fast kernels split theirs: each core then reads rows its own
    // L2 holds (the reversed split made blazeface's 1x1 convs 2x slower).
    // threads_ 0: the OpenMP default (all cores), as oneDNN takes it.
    const int team = threads_ > 0 ? std::min(threads_, omp_get_max_threads()) : omp_get_max_threads();
    if (team <= 1) {
      run_tiles(0, tiles);
      return Status::ok();
    }
#pragma omp parallel num_threads(team)
    {
      const int64_t count = omp_get_num_threads(), thread = omp_get_thread_num();
      run_tiles(tiles * thread / count, tiles * (thread + 1) / count);
    }
    return Status::ok();
  }
  std::string name() const override { return "conv2d_f32_pointwise"; }
  std::vector<int> packed_inputs() const override { return packed_; }
  size_t packed_weights_bytes() const override { return panels_.size_bytes() + channel_params_.size_bytes(); }
  int in_place_input() const override { return in_place_input_; }
  void set_in_place_input(int input) { in_place_input_ = input; }

 private:
  const float* panel_data() const { return reinterpret_cast<const float*>(panels_.data()); }
  Store store_mode(const float* out) const {
    if (rows_ * channels_ * static_cast<int64_t>(sizeof(float)) < kLargeTensorBytes) return Store::kCached;
    const bool whole_lines = channels_ % 16 == 0 && reinterpret_cast<uintptr_t>(out) % 64 == 0;
    return whole_lines ? Store::kStreamed : Store::kPrefetched;
  }

  int64_t rows_, depth_, channels_;
  int threads_;
  onednn::FusedTail fused_;
  AlignedBuffer panels_;          // [panel][K][32]
  AlignedBuffer channel_params_;  // bias, then Prelu alphas, each [padded N]
  TailParams tail_;
  TileSet tiles_;
  std::vector<int> packed_;
  int in_place_input_ = -1;
};

bool takes_activation(Activation activation) {
  switch (activation) {
    case Activation::kNone:
    case Activation::kRelu:
    case Activation::kRelu6:
    case Activation::kLeakyRelu:
    case Activation::kPrelu:
    case Activation::kHardSwish: return true;
    default: return false;
  }
}

// A 1x1 window of stride 1 and no padding over a 4-D NHWC float32 input.
bool is_pointwise(const KernelContext& context) {
  if (context.node().op.find("Depthwise") != std::string::npos) return false;
  if (context.input(0).dtype != DType::kF32 || context.input(1).dtype != DType::kF32) return false;
  const Shape& input = context.input(0).shape;
  const Shape& filter = context.input(1).shape;
  if (input.size() != 4 || filter.size() != 4 || !context.input(1).is_constant()) return false;
  if (filter[0] != 1 || filter[1] != 1 || filter[2] != input[3]) return false;
  if (context.attrs().get_or<std::string>("data_format", "NHWC") != "NHWC") return false;
  const auto window = ir::window_2d(context.attrs(), input, 1, 1);
  if (!window) return false;
  for (const ir::WindowAxis* axis : {&window->height, &window->width})
    if (axis->stride != 1 || axis->pad_before != 0 || axis->pad_after != 0) return false;
  return num_elements(input) > 0 && num_elements(context.output(0).shape) > 0;
}

}  // namespace

Expected<KernelPtr> make_pointwise_conv(const KernelContext& context, const KernelOptions& options) {
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512vl") || !is_pointwise(context))
    return KernelPtr();
  const Shape& input = context.input(0).shape;
  const int64_t depth = input[3], channels = context.output(0).shape[3];
  const int64_t rows = input[0] * input[1] * input[2];
  auto fused = onednn::FusedTail::parse(context, 2, channels);
  if (!fused) return fused.status().code() == ErrorCode::kUnsupported ? Expected<KernelPtr>(KernelPtr()) : fused.status();
  if (!takes_activation(fused->activation)) return KernelPtr();
  // The output may overwrite the residual only when no tile reads it after
  // writing: not when the residual is also the conv's input, whose row every panel reads.
  const auto& inputs = context.node().inputs;
  if (fused->residual_input >= 0 && inputs[fused->residual_input] == inputs[0]) return KernelPtr();
  std::vector<float> scale, bias;
  fused->fold(context, channels, scale, bias);

  const int64_t panels = (channels + kPanel - 1) / kPanel;
  const int64_t padded = panels * kPanel;
  AlignedBuffer packed(static_cast<size_t>(panels * depth * kPanel) * sizeof(float));
  float* packed_values = reinterpret_cast<float*>(packed.data());
  std::memset(packed_values, 0, packed.size_bytes());
  const float* filter = context.input(1).constant->as<float>();  // [1, 1, K, N]
  for (int64_t k = 0; k < depth; ++k)
    for (int64_t n = 0; n < channels; ++n)
      packed_values[(n / kPanel * depth + k) * kPanel + n % kPanel] =
          filter[k * channels + n] * (scale.empty() ? 1.0f : scale[n]);

  const bool prelu = fused->activation == Activation::kPrelu;
  AlignedBuffer channel_params(static_cast<size_t>(padded * (prelu ? 2 : 1)) * sizeof(float));
  float* bias_values = reinterpret_cast<float*>(channel_params.data());
  std::fill(bias_values, bias_values + padded * (prelu ? 2 : 1), 0.0f);
  std::copy(bias.begin(), bias.end(), bias_values);
  TailParams tail;
  tail.activation = fused->activation;
  tail.alpha = fused->activation_alpha;
  tail.bias = bias_values;
  tail.residual_after_activation = fused->residual_after_activation;
  if (prelu) {
    const ir::Value& alpha = context.input(fused->prelu_input);
    const float* alphas = alpha.constant->as<float>();
    float* padded_alphas = bias_values + padded;
    for (int64_t n = 0; n < channels; ++n) padded_alphas[n] = num_elements(alpha.shape) == 1 ? alphas[0] : alphas[n];
    tail.alphas = padded_alphas;
  }

  std::vector<int> packed_inputs = {1};
  for (int input : {fused->bias_input, fused->prelu_input})
    if (input >= 0) packed_inputs.push_back(input);
  if (fused->batch_norm_input >= 0)
    for (int i = 0; i < 4; ++i) packed_inputs.push_back(fused->batch_norm_input + i);
  const double multiply_adds = static_cast<double>(rows) * depth * channels;
  const int threads = onednn::primitive_threads(multiply_adds, options.threads, onednn::kMinParallelConvWork);
  auto kernel = std::make_unique<PointwiseConvKernel>(rows, depth, channels, threads, *fused, std::move(packed),
                                                      std::move(channel_params), tail, std::move(packed_inputs));
  if (fused->residual_input >= 0) kernel->set_in_place_input(fused->residual_input);
  return KernelPtr(std::move(kernel));
}

}  // namespace leanrt::kernels::fast
