// The AVX-512 register tiles of packed_tiles.h, and the packing of their
// constant operands.
//
// A narrow tile is 8 rows x 32 columns (16 zmm accumulators); a wide tile
// one row x up to 4 panels (128 columns), so a lone row's FMA chains are
// independent enough to fill the pipes. Everything a tile varies on is a
// template parameter and every loop over rows and vectors is unrolled, so
// the accumulators stay in registers from the bias to the store (otherwise
// GCC keeps them on the stack: 32 more stores and loads per tile, a fifth of
// a K = 24 tile; a run-time activation switch did the same).

// GCC 12 reports the _mm512_undefined_ps() inside _mm512_max_ps / _min_ps
// as maybe-uninitialized (a false positive of its intrinsic headers).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include "leanrt/kernels/fast/packed_tiles.h"

#include <immintrin.h>

#include <cstring>
#include <mutex>

#include "leanrt/kernels/onednn/fused_tail.h"

#define LEANRT_AVX512 __attribute__((target("avx512f,avx512vl")))

namespace leanrt::kernels::fast::packed {
namespace {

using ref::Activation;

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
                                                                       const float* residual, const int64_t* rows,
                                                                       int64_t channel) {
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 16
    for (int v = 0; v < kVectors; ++v)
      acc[r][v] = _mm512_add_ps(acc[r][v], _mm512_maskz_loadu_ps(masks[v], residual + rows[r] + channel + 16 * v));
}

template <Activation kActivation, int kRows, int kVectors, Store kStore>
LEANRT_AVX512 void tile(const TileRows& rows, int first, const Segment* segments, int segment_count,
                        const float* panel, int64_t panel_stride, float* out, const float* residual, int64_t channel,
                        int columns, const TailParams& tail) {
  const int64_t* out_rows = rows.out + first;
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
  for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 16
    for (int v = 0; v < kVectors; ++v) {
      const int64_t at = out_rows[r] + rows.next_out + channel + 16 * v;
      if (residual) _mm_prefetch(reinterpret_cast<const char*>(residual + at), _MM_HINT_T0);
      if (kStore == Store::kPrefetched) _mm_prefetch(reinterpret_cast<const char*>(out + at), _MM_HINT_ET0);
    }
  for (int s = 0; s < segment_count; ++s) {
    const Segment segment = segments[s];
    const float* a[kRows];
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r)
      a[r] = rows.segment_rows ? rows.segment_rows[s * kTileRows + first + r] : rows.in[first + r] + segment.input;
    const float* weights_at = panel + segment.k * kPanel;
    for (int64_t k = 0; k < segment.length; ++k) {
      if (rows.next_in != 0 && (k & 15) == 0)  // the next row block's input, a line per row every 16 k
#pragma GCC unroll 16
        for (int r = 0; r < kRows; ++r) _mm_prefetch(reinterpret_cast<const char*>(a[r] + rows.next_in + k), _MM_HINT_T0);
      __m512 weights[kVectors];
#pragma GCC unroll 16
      for (int v = 0; v < kVectors; ++v)
        weights[v] = _mm512_load_ps(weights_at + (v / 2) * panel_stride + k * kPanel + 16 * (v % 2));
#pragma GCC unroll 16
      for (int r = 0; r < kRows; ++r) {
        const __m512 value = _mm512_set1_ps(a[r][k]);
#pragma GCC unroll 16
        for (int v = 0; v < kVectors; ++v) acc[r][v] = _mm512_fmadd_ps(value, weights[v], acc[r][v]);
      }
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
  if (residual && !tail.residual_after_activation) add_residual(acc, masks, residual, out_rows, channel);
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 16
    for (int v = 0; v < kVectors; ++v) acc[r][v] = activate<kActivation>(acc[r][v], alphas[v], scale);
  if (residual && tail.residual_after_activation) add_residual(acc, masks, residual, out_rows, channel);
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 16
    for (int v = 0; v < kVectors; ++v) {
      float* at = out + out_rows[r] + channel + 16 * v;
      if (kStore == Store::kStreamed) _mm512_stream_ps(at, acc[r][v]);
      else _mm512_mask_storeu_ps(at, masks[v], acc[r][v]);
    }
}

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

}  // namespace

bool tiles_supported() { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"); }

LEANRT_AVX512 void store_fence() { _mm_sfence(); }

int team_size(int threads) {
  return threads > 0 ? std::min(threads, omp_get_max_threads()) : omp_get_max_threads();
}

Store store_mode(int64_t bytes, const float* out, int64_t row_floats, bool reads_residual, int64_t large_bytes) {
  if (bytes < large_bytes) return Store::kCached;
  const bool whole_lines = row_floats % 16 == 0 && reinterpret_cast<uintptr_t>(out) % 64 == 0;
  return whole_lines && !reads_residual ? Store::kStreamed : Store::kPrefetched;
}

Expected<std::optional<PackedOperands>> pack_operands(const KernelContext& context, const GemmWeights& weights) {
  const int64_t channels = weights.channels;
  auto fused = onednn::FusedTail::parse(context, 2, channels);
  if (!fused) {
    if (fused.status().code() == ErrorCode::kUnsupported) return std::optional<PackedOperands>();
    return fused.status();
  }
  const std::optional<TileSet> tiles = tiles_for(fused->activation);
  if (!tiles) return std::optional<PackedOperands>();
  const auto& inputs = context.node().inputs;
  if (fused->residual_input >= 0 && inputs[fused->residual_input] == inputs[0]) return std::optional<PackedOperands>();

  PackedOperands operands;
  operands.tiles = *tiles;
  operands.residual_input = fused->residual_input;
  std::vector<float> scale, bias;
  fused->fold(context, channels, scale, bias);
  bool made_here = false;
  operands.panels = find_or_pack(context, weights, scale, made_here);
  operands.packed_bytes = made_here ? operands.panels->size_bytes() : 0;

  const int64_t padded = operands.panel_count(channels) * kPanel;
  const bool prelu = fused->activation == Activation::kPrelu;
  operands.channel_params = AlignedBuffer(static_cast<size_t>(padded * (prelu ? 2 : 1)) * sizeof(float));
  float* bias_values = reinterpret_cast<float*>(operands.channel_params.data());
  std::fill(bias_values, bias_values + padded * (prelu ? 2 : 1), 0.0f);
  std::copy(bias.begin(), bias.end(), bias_values);
  operands.tail.alpha = fused->activation_alpha;
  operands.tail.bias = bias_values;
  operands.tail.residual_after_activation = fused->residual_after_activation;
  if (prelu) {
    const ir::Value& alpha = context.input(fused->prelu_input);
    const float* alphas = alpha.constant->as<float>();
    float* padded_alphas = bias_values + padded;
    for (int64_t n = 0; n < channels; ++n) padded_alphas[n] = num_elements(alpha.shape) == 1 ? alphas[0] : alphas[n];
    operands.tail.alphas = padded_alphas;
  }

  operands.packed_inputs = {weights.input};
  for (int input : {fused->bias_input, fused->prelu_input})
    if (input >= 0) operands.packed_inputs.push_back(input);
  if (fused->batch_norm_input >= 0)
    for (int i = 0; i < 4; ++i) operands.packed_inputs.push_back(fused->batch_norm_input + i);
  return std::optional<PackedOperands>(std::move(operands));
}

}  // namespace leanrt::kernels::fast::packed
