// The packed GEMM of packed_gemm.h, in AVX-512 register tiles.
//
// Why not oneDNN for these: on NHWC activations oneDNN 2.6's brgemm 1x1
// convolution leaves a quarter of the FMA peak unused once the tensors
// outgrow the caches (nanodet's [32, 52, 52, 128] x [128, 128]: 72% of
// peak; its blocked layout reaches 93% but would need blocked activations
// through the model). The gap is memory latency, not arithmetic: the tile
// loop below, with the next row block prefetched, runs at 85%. For dense
// layers at batch 1 its matmul costs 0.5-0.8 us of set-up per call around a
// few microseconds of weight streaming. And each oneDNN primitive replaced
// no longer holds JIT code and heap state (0.1-2.1 MiB less peak per model).
//
// Layout: W is packed once into panels of 32 columns, [panel][K][32],
// zero-padded past N, with the batch norm scale folded in (the constant it
// came from is released afterwards). A narrow tile is 8 rows x 32 columns
// (16 zmm accumulators); with fewer than 8 rows (a dense layer at batch 1)
// a wide tile takes one row x up to 4 panels (128 columns), so the row's
// FMA chains are independent enough to fill the pipes. Every accumulator
// starts at the bias and takes k = 0..K-1 in order: the same sum in every
// tile shape (see packed_gemm.h).
//
// Threads take contiguous ranges (row blocks outermost; panels when there
// are fewer than 8 rows), as oneDNN's convolutions and the fast kernels
// split theirs, so each core reads rows its own L2 holds.
//
// Measured against oneDNN in the same models: bench/README.md.

// GCC 12 reports the _mm512_undefined_ps() inside _mm512_max_ps / _min_ps
// as maybe-uninitialized (a false positive of its intrinsic headers).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include "leanrt/kernels/fast/packed_gemm.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

#include "leanrt/kernels/onednn/fused_tail.h"
#include "leanrt/kernels/ref/epilogue.h"

#define LEANRT_AVX512 __attribute__((target("avx512f,avx512vl")))

namespace leanrt::kernels::fast {
namespace {

using ref::Activation;

constexpr int kTileRows = 8;
constexpr int kPanel = 32;       // columns per packed panel: two zmm
constexpr int kWidePanels = 4;   // panels per wide (one-row) tile

// How a tile writes its output. An output of kLargeTensorBytes and more
// cannot stay in the caches for the next step, so it is written past them:
// streamed (non-temporal stores of whole lines, when every row starts on a
// line and no residual is read) or else with the next row block's lines
// prefetched for writing, so the read that precedes a plain store overlaps
// the arithmetic (see store_mode). Both cost
// time on smaller outputs, whose lines the next step finds in L2
// (prefetching them for writing made blazeface's batch-1 1x1 convs 3x
// slower: the lines were pulled from the other core).
enum class Store { kCached, kStreamed, kPrefetched };
constexpr int64_t kLargeTensorBytes = int64_t{16} << 20;

// What a tile needs besides its operands; channel arrays are padded to whole panels.
struct TailParams {
  float alpha = 0.0f;             // LeakyRelu slope, HardSwish scale
  const float* bias = nullptr;    // [padded N]
  const float* alphas = nullptr;  // Prelu, [padded N]
  bool residual_after_activation = false;
};

// exp(x) to about 2 ulp: 2^n * p(r), r = x - n ln 2 in [-ln2/2, ln2/2],
// p the degree-6 Taylor polynomial; inputs clamped where expf saturates.
LEANRT_AVX512 inline __m512 exp_ps(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.7f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);  // ln 2 in two parts: hi exact in float
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.0f / 720.0f);
  for (const float c : {1.0f / 120.0f, 1.0f / 24.0f, 1.0f / 6.0f, 0.5f, 1.0f, 1.0f}) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(c));
  return _mm512_scalef_ps(p, n);
}

template <Activation kActivation>
LEANRT_AVX512 __attribute__((always_inline)) inline __m512 activate(__m512 x, __m512 alphas, __m512 scale) {
  const __m512 zero = _mm512_setzero_ps();
  if constexpr (kActivation == Activation::kRelu) return _mm512_max_ps(x, zero);
  if constexpr (kActivation == Activation::kRelu6) return _mm512_min_ps(_mm512_max_ps(x, zero), _mm512_set1_ps(6.0f));
  if constexpr (kActivation == Activation::kLeakyRelu || kActivation == Activation::kPrelu)
    return _mm512_mask_mul_ps(x, _mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ), x, alphas);
  if constexpr (kActivation == Activation::kHardSwish) {
    const __m512 gate = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(x, _mm512_set1_ps(3.0f)), zero), _mm512_set1_ps(6.0f));
    return _mm512_mul_ps(_mm512_mul_ps(x, scale), gate);
  }
  if constexpr (kActivation == Activation::kSigmoid) {
    const __m512 one = _mm512_set1_ps(1.0f);
    return _mm512_div_ps(one, _mm512_add_ps(one, exp_ps(_mm512_sub_ps(zero, x))));
  }
  if constexpr (kActivation == Activation::kTanh) {  // 1 - 2 / (exp(2x) + 1): exact limits at both ends
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 e = exp_ps(_mm512_add_ps(x, x));
    return _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, one)));
  }
  if constexpr (kActivation == Activation::kElu)  // exp(x) - 1 below 0: within 1e-7 of expm1
    return _mm512_mask_sub_ps(x, _mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ), exp_ps(x), _mm512_set1_ps(1.0f));
  return x;
}

template <int kRows, int kVectors>
LEANRT_AVX512 __attribute__((always_inline)) inline void add_residual(__m512 (&acc)[kRows][kVectors],
                                                                       const __mmask16 (&masks)[kVectors],
                                                                       const float* residual, int64_t out_stride,
                                                                       int64_t channel) {
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 16
    for (int v = 0; v < kVectors; ++v)
      acc[r][v] = _mm512_add_ps(acc[r][v], _mm512_maskz_loadu_ps(masks[v], residual + r * out_stride + channel + 16 * v));
}

// One tile: `kRows` rows x (16 * kVectors) columns from `channel` on, of
// which the first `columns` are stored. `a` is the tile's first input row,
// `panel` its first packed [K][32] panel (vector v reads panel v / 2, the
// next ones `panel_stride` floats apart); `residual` is null or shaped like
// the output. Everything the tile varies on is a template parameter and
// every loop over rows and vectors is unrolled, so the accumulators stay in
// registers from the bias to the store (otherwise GCC keeps them on the
// stack: 32 more stores and loads per tile, a fifth of a K = 24 tile).
template <Activation kActivation, int kRows, int kVectors, Store kStore>
LEANRT_AVX512 void tile(const float* a, int64_t depth, const float* panel, int64_t panel_stride, float* out,
                        const float* residual, int64_t out_stride, int64_t channel, int columns,
                        const TailParams& tail) {
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
    for (int v = 0; v < kVectors; ++v) weights[v] = _mm512_load_ps(panel + (v / 2) * panel_stride + k * kPanel + 16 * (v % 2));
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
  if (residual && !tail.residual_after_activation) add_residual(acc, masks, residual, out_stride, channel);
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 16
    for (int v = 0; v < kVectors; ++v) acc[r][v] = activate<kActivation>(acc[r][v], alphas[v], scale);
  if (residual && tail.residual_after_activation) add_residual(acc, masks, residual, out_stride, channel);
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 16
    for (int v = 0; v < kVectors; ++v) {
      float* at = out + r * out_stride + channel + 16 * v;
      if (kStore == Store::kStreamed) _mm512_stream_ps(at, acc[r][v]);
      else _mm512_mask_storeu_ps(at, masks[v], acc[r][v]);
    }
}

using TileFn = void (*)(const float*, int64_t, const float*, int64_t, float*, const float*, int64_t, int64_t, int,
                        const TailParams&);

// A kernel's tiles, for its activation. Narrow: [8, 4, 2 or 1 rows][one or
// two vectors][Store]; the rows past the last full block of 8 go as 4 + 2 +
// 1 (a one-row narrow tile loads as much filter per multiply-add as it
// computes). Wide: one row, [1..8 vectors], for fewer than 8 rows in all.
struct TileSet {
  TileFn narrow[4][2][3];
  TileFn wide[2 * kWidePanels];
  TileFn get(int rows, int columns, Store store) const {
    const int by_rows = rows >= 8 ? 0 : rows >= 4 ? 1 : rows >= 2 ? 2 : 3;
    return narrow[by_rows][columns > 16 ? 1 : 0][static_cast<int>(store)];
  }
  TileFn get_wide(int columns) const { return wide[(columns + 15) / 16 - 1]; }
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

template <Activation kActivation, int... kVectors>
void fill_wide(TileFn* fn, std::integer_sequence<int, kVectors...>) {
  ((fn[kVectors] = &tile<kActivation, 1, kVectors + 1, Store::kCached>), ...);
}

template <Activation kActivation>
TileSet tiles_for() {
  TileSet set;
  fill_vectors<kActivation, 8>(set.narrow[0]);
  fill_vectors<kActivation, 4>(set.narrow[1]);
  fill_vectors<kActivation, 2>(set.narrow[2]);
  fill_vectors<kActivation, 1>(set.narrow[3]);
  fill_wide<kActivation>(set.wide, std::make_integer_sequence<int, 2 * kWidePanels>());
  return set;
}

// The tiles for `activation`, or none for an activation they do not
// compute (it stays with oneDNN).
std::optional<TileSet> tiles_for(Activation activation) {
  switch (activation) {
    case Activation::kNone: return tiles_for<Activation::kNone>();
    case Activation::kRelu: return tiles_for<Activation::kRelu>();
    case Activation::kRelu6: return tiles_for<Activation::kRelu6>();
    case Activation::kLeakyRelu: return tiles_for<Activation::kLeakyRelu>();
    case Activation::kPrelu: return tiles_for<Activation::kPrelu>();
    case Activation::kHardSwish: return tiles_for<Activation::kHardSwish>();
    case Activation::kSigmoid: return tiles_for<Activation::kSigmoid>();
    case Activation::kTanh: return tiles_for<Activation::kTanh>();
    case Activation::kElu: return tiles_for<Activation::kElu>();
    default: return std::nullopt;
  }
}

LEANRT_AVX512 void store_fence() { _mm_sfence(); }

// Packed panels by (graph, value, strides), while some kernel holds them:
// one weight read by many nodes (an unrolled RNN's steps) is packed once.
// Keyed by graph identity and value id, never by address.
struct PackedPanels {
  const ir::Graph* graph;
  ir::ValueId value;
  int64_t k_stride, n_stride;
  std::weak_ptr<const AlignedBuffer> panels;
};
std::mutex g_panels_mutex;
std::vector<PackedPanels> g_panels;

// W packed as [panel][K][32], times `scale` per column when not empty.
std::shared_ptr<const AlignedBuffer> pack_panels(const float* weights, const GemmWeights& layout,
                                                 const std::vector<float>& scale) {
  const int64_t panels = (layout.channels + kPanel - 1) / kPanel;
  auto packed = std::make_shared<AlignedBuffer>(static_cast<size_t>(panels * layout.depth * kPanel) * sizeof(float));
  float* values = reinterpret_cast<float*>(packed->data());
  std::memset(values, 0, packed->size_bytes());
  for (int64_t k = 0; k < layout.depth; ++k)
    for (int64_t n = 0; n < layout.channels; ++n)
      values[(n / kPanel * layout.depth + k) * kPanel + n % kPanel] =
          weights[k * layout.k_stride + n * layout.n_stride] * (scale.empty() ? 1.0f : scale[n]);
  return packed;
}

// The panels of `layout`'s weight input: shared with another kernel that
// packed the same unscaled value, else packed here (`made_here` set).
std::shared_ptr<const AlignedBuffer> find_or_pack(const KernelContext& context, const GemmWeights& layout,
                                                  const std::vector<float>& scale, bool& made_here) {
  const float* weights = context.input(layout.input).constant->as<float>();
  made_here = true;
  if (!scale.empty()) return pack_panels(weights, layout, scale);
  const ir::ValueId value = context.node().inputs[layout.input];
  std::lock_guard<std::mutex> lock(g_panels_mutex);
  std::erase_if(g_panels, [](const PackedPanels& entry) { return entry.panels.expired(); });
  for (const PackedPanels& entry : g_panels)
    if (entry.graph == &context.graph() && entry.value == value && entry.k_stride == layout.k_stride &&
        entry.n_stride == layout.n_stride) {
      made_here = false;
      return entry.panels.lock();
    }
  auto packed = pack_panels(weights, layout, scale);
  g_panels.push_back({&context.graph(), value, layout.k_stride, layout.n_stride, packed});
  return packed;
}

class PackedGemmKernel final : public Kernel {
 public:
  PackedGemmKernel(std::string name, int64_t rows, const GemmWeights& layout, int threads, int residual_input,
                   std::shared_ptr<const AlignedBuffer> panels, size_t packed_bytes, AlignedBuffer channel_params,
                   TailParams tail, TileSet tiles, std::vector<int> packed_inputs)
      : name_(std::move(name)), rows_(rows), depth_(layout.depth), channels_(layout.channels), threads_(threads),
        residual_input_(residual_input), panels_(std::move(panels)), packed_bytes_(packed_bytes),
        channel_params_(std::move(channel_params)), tail_(tail), tiles_(tiles),
        packed_inputs_(std::move(packed_inputs)) {}

  Status run(const KernelIO& io) override {
    const float* in = io.input(0).as<const float>();
    float* out = io.output(0).as<float>();
    const float* residual = residual_input_ >= 0 ? io.input(residual_input_).as<const float>() : nullptr;
    // threads_ 0: the OpenMP default (all cores), as oneDNN takes it.
    const int team = threads_ > 0 ? std::min(threads_, omp_get_max_threads()) : omp_get_max_threads();
    if (rows_ < kTileRows) {
      run_split(team, panel_count(), [&](int64_t begin, int64_t end) { run_wide(in, out, residual, begin, end); });
      return Status::ok();
    }
    const Store store = store_mode(out);
    run_split(team, (rows_ + kTileRows - 1) / kTileRows * panel_count(), [&](int64_t begin, int64_t end) {
      run_narrow(in, out, residual, store, begin, end);
      if (store == Store::kStreamed) store_fence();  // the streamed lines reach memory before the next step reads them
    });
    return Status::ok();
  }
  std::string name() const override { return name_; }
  std::vector<int> packed_inputs() const override { return packed_inputs_; }
  size_t packed_weights_bytes() const override { return packed_bytes_ + channel_params_.size_bytes(); }
  int in_place_input() const override { return residual_input_; }

 private:
  int64_t panel_count() const { return (channels_ + kPanel - 1) / kPanel; }
  const float* panel(int64_t index) const {
    return reinterpret_cast<const float*>(panels_->data()) + index * depth_ * kPanel;
  }
  // With a residual the output's lines are read anyway (usually they are
  // the residual's, in place): prefetched for writing they take no second
  // trip (nanodet's residual 1x1 at batch 32: 86-91% of peak, streamed
  // 77-86%). Without one, streaming whole lines wins (ResNet's res2 expand:
  // 87% against 81% prefetched).
  Store store_mode(const float* out) const {
    if (rows_ * channels_ * static_cast<int64_t>(sizeof(float)) < kLargeTensorBytes) return Store::kCached;
    const bool whole_lines = channels_ % 16 == 0 && reinterpret_cast<uintptr_t>(out) % 64 == 0;
    return whole_lines && residual_input_ < 0 ? Store::kStreamed : Store::kPrefetched;
  }

  // body(begin, end) over contiguous parts of [0, items), one per thread.
  template <typename Body>
  static void run_split(int team, int64_t items, const Body& body) {
    if (team <= 1 || items <= 1) {
      body(0, items);
      return;
    }
#pragma omp parallel num_threads(static_cast<int>(std::min<int64_t>(team, items)))
    {
      const int64_t count = omp_get_num_threads(), thread = omp_get_thread_num();
      body(items * thread / count, items * (thread + 1) / count);
    }
  }

  // Tiles [begin, end) of (row block, panel), panels innermost.
  void run_narrow(const float* in, float* out, const float* residual, Store store, int64_t begin, int64_t end) const {
    const int64_t panels = panel_count();
    for (int64_t t = begin; t < end; ++t) {
      const int64_t row = t / panels * kTileRows, index = t % panels;
      const int64_t channel = index * kPanel;
      const int columns = static_cast<int>(std::min<int64_t>(kPanel, channels_ - channel));
      for (int64_t r = row, end_row = std::min(row + kTileRows, rows_); r < end_row;) {
        const int64_t rows = end_row - r >= 8 ? 8 : end_row - r >= 4 ? 4 : end_row - r >= 2 ? 2 : 1;
        tiles_.get(static_cast<int>(rows), columns, store)(in + r * depth_, depth_, panel(index), 0, out + r * channels_,
                                                           residual ? residual + r * channels_ : nullptr, channels_,
                                                           channel, columns, tail_);
        r += rows;
      }
    }
  }

  // Panels [begin, end) of every row, up to kWidePanels at a time.
  void run_wide(const float* in, float* out, const float* residual, int64_t begin, int64_t end) const {
    for (int64_t r = 0; r < rows_; ++r)
      for (int64_t first = begin; first < end; first += kWidePanels) {
        const int64_t channel = first * kPanel;
        const int64_t last = std::min(first + kWidePanels, end);
        const int columns = static_cast<int>(std::min(last * kPanel, channels_) - channel);
        tiles_.get_wide(columns)(in + r * depth_, depth_, panel(first), depth_ * kPanel, out + r * channels_,
                                 residual ? residual + r * channels_ : nullptr, channels_, channel, columns, tail_);
      }
  }

  std::string name_;
  int64_t rows_, depth_, channels_;
  int threads_;
  int residual_input_;
  std::shared_ptr<const AlignedBuffer> panels_;  // [panel][K][32]
  size_t packed_bytes_;                           // of panels_, when this kernel made them
  AlignedBuffer channel_params_;                  // bias, then Prelu alphas, each [padded N]
  TailParams tail_;
  TileSet tiles_;
  std::vector<int> packed_inputs_;
};

}  // namespace

bool packed_gemm_supported() { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"); }

Expected<KernelPtr> make_packed_gemm(const KernelContext& context, std::string name, int64_t rows,
                                     const GemmWeights& weights, int threads) {
  const int64_t channels = weights.channels;
  auto fused = onednn::FusedTail::parse(context, 2, channels);
  if (!fused) return fused.status().code() == ErrorCode::kUnsupported ? Expected<KernelPtr>(KernelPtr()) : fused.status();
  const std::optional<TileSet> tiles = tiles_for(fused->activation);
  if (!tiles) return KernelPtr();
  // The output may overwrite the residual only when no tile reads it after
  // writing: not when the residual is also input 0, whose row every panel reads.
  const auto& inputs = context.node().inputs;
  if (fused->residual_input >= 0 && inputs[fused->residual_input] == inputs[0]) return KernelPtr();
  std::vector<float> scale, bias;
  fused->fold(context, channels, scale, bias);
  bool made_here = false;
  std::shared_ptr<const AlignedBuffer> panels = find_or_pack(context, weights, scale, made_here);

  const int64_t padded = (channels + kPanel - 1) / kPanel * kPanel;
  const bool prelu = fused->activation == Activation::kPrelu;
  AlignedBuffer channel_params(static_cast<size_t>(padded * (prelu ? 2 : 1)) * sizeof(float));
  float* bias_values = reinterpret_cast<float*>(channel_params.data());
  std::fill(bias_values, bias_values + padded * (prelu ? 2 : 1), 0.0f);
  std::copy(bias.begin(), bias.end(), bias_values);
  TailParams tail;
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

  std::vector<int> packed_inputs = {weights.input};
  for (int input : {fused->bias_input, fused->prelu_input})
    if (input >= 0) packed_inputs.push_back(input);
  if (fused->batch_norm_input >= 0)
    for (int i = 0; i < 4; ++i) packed_inputs.push_back(fused->batch_norm_input + i);
  const size_t packed_bytes = made_here ? panels->size_bytes() : 0;
  return KernelPtr(new PackedGemmKernel(std::move(name), rows, weights, threads, fused->residual_input,
                                        std::move(panels), packed_bytes, std::move(channel_params), tail, *tiles,
                                        std::move(packed_inputs)));
}

}  // namespace leanrt::kernels::fast
