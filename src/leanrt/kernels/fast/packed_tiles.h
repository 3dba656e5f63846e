// The register tiles and packed operands shared by leanrt's own GEMM-shaped
// kernels: the packed GEMM (packed_gemm.cc: pointwise convolutions, dense
// layers) and the direct convolution (direct_conv.cc: every other dense
// NHWC window). Internal to kernels/fast.
//
// A tile computes up to 8 rows x 32 columns (or one row x up to 128) of
//
//   out[row, n] = act(bias[n] + sum over segments s, k < s.length of
//                     in_row[s.input + k] * W[s.k + k, n]  (+ residual))
//
// where each row has its own input origin: a GEMM's rows are A's rows (one
// segment of K values); a convolution's rows are output pixels, each origin
// the first input pixel of its window, and the segments are the window's
// rows (KW x C contiguous NHWC values each, in HWIO order like the filter).
// Every accumulator starts at the bias and takes its products in the order
// of the segments and k: a row's result never depends on which rows share
// its tile, so one sample at a time matches a whole batch bit for bit.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "leanrt/kernels/kernel.h"
#include "leanrt/kernels/ref/epilogue.h"

namespace leanrt::kernels::fast::packed {

constexpr int kTileRows = 8;
constexpr int kPanel = 32;      // columns per packed panel: two zmm
constexpr int kWidePanels = 4;  // panels per wide (one-row) tile

// How a tile writes its output. An output of kLargeTensorBytes and more
// cannot stay in the caches for the next step, so it is written past them:
// streamed (non-temporal stores of whole lines, when every row starts on a
// line and no residual is read) or else with the next row block's lines
// prefetched for writing, so the read that precedes a plain store overlaps
// the arithmetic. Both cost time on smaller outputs, whose lines the next
// step finds in L2 (prefetching them for writing made blazeface's batch-1
// 1x1 convs 3x slower: the lines were pulled from the other core).
enum class Store { kCached, kStreamed, kPrefetched };
constexpr int64_t kLargeTensorBytes = int64_t{16} << 20;

// The store for an output of `bytes` at `out` with rows `row_floats` apart
// (whole lines when that is a multiple of 16) and a residual read or not.
// With a residual the output's lines are read anyway (usually they are the
// residual's, in place): prefetched for writing they take no second trip
// (nanodet's residual 1x1 at batch 32: 86-91% of peak, streamed 77-86%).
// Without one, streaming whole lines wins (ResNet's res2 expand: 87%
// against 81% prefetched).
// Outputs under `large_bytes` are cached.
Store store_mode(int64_t bytes, const float* out, int64_t row_floats, bool reads_residual,
                 int64_t large_bytes = kLargeTensorBytes);

// What a tile needs besides its operands; channel arrays are padded to whole panels.
struct TailParams {
  float alpha = 0.0f;             // LeakyRelu slope, HardSwish scale
  const float* bias = nullptr;    // [padded N]
  const float* alphas = nullptr;  // Prelu, [padded N]
  bool residual_after_activation = false;
};

// A run of `length` products: a row's input from its origin + `input` on,
// against the packed rows from `k` on.
struct Segment {
  int64_t input = 0;
  int64_t k = 0;
  int64_t length = 0;
};

// Where a tile's rows are: row r reads segment s from in[first + r] +
// s.input, or, when segment_rows is set, from segment_rows[s * kTileRows +
// first + r] (a convolution's border pixels: a tap in the padding points at
// zeros). It writes output (and reads residual) offset out[first + r]. The
// next row block, whose input and residual a tile prefetches, is next_in
// floats past each input origin and next_out past each output offset.
struct TileRows {
  const float* in[kTileRows];
  int64_t out[kTileRows];
  int64_t next_in = 0, next_out = 0;
  const float* const* segment_rows = nullptr;
};

// One tile: rows [first, first + R) of `rows`, 16 * V columns from `channel`
// on, of which the first `columns` are stored. `panel` is the tile's first
// packed [K][32] panel (vector v reads panel v / 2, the next ones
// `panel_stride` floats apart); `residual` is null or shaped like the output.
using TileFn = void (*)(const TileRows& rows, int first, const Segment* segments, int segment_count,
                        const float* panel, int64_t panel_stride, float* out, const float* residual, int64_t channel,
                        int columns, const TailParams& tail);

// A kernel's tiles, for its activation. Narrow: [8, 4, 2 or 1 rows][one or
// two vectors][Store]; rows past the last full block of 8 go as 4 + 2 + 1.
// Wide: one row, [1..8 vectors], where a one-row narrow tile would load as
// much filter per multiply-add as it computes.
struct TileSet {
  TileFn narrow[4][2][3];
  TileFn wide[2 * kWidePanels];
  TileFn get(int rows, int columns, Store store) const {
    const int by_rows = rows >= 8 ? 0 : rows >= 4 ? 1 : rows >= 2 ? 2 : 3;
    return narrow[by_rows][columns > 16 ? 1 : 0][static_cast<int>(store)];
  }
  TileFn get_wide(int columns) const { return wide[(columns + 15) / 16 - 1]; }
  // The largest narrow tile of at most `rows` rows: 8, 4, 2 or 1.
  static int rows_of(int64_t rows) { return rows >= 8 ? 8 : rows >= 4 ? 4 : rows >= 2 ? 2 : 1; }
};

// AVX-512 F and VL, which the tiles are written for.
bool tiles_supported();

// Orders the streamed stores before what follows (the next step's reads).
void store_fence();

// How the constant operand is stored: element (k, n) is at
// data[k * k_stride + n * n_stride] of input `input`.
struct GemmWeights {
  int input = 1;
  int64_t depth = 0, channels = 0;  // K, N
  int64_t k_stride = 0, n_stride = 1;
};

// A node's operands, packed: W as [panel][K][32] (zero past N, the batch
// norm scale folded in), the bias and Prelu alphas padded to whole panels,
// and the tiles of its activation.
struct PackedOperands {
  std::shared_ptr<const AlignedBuffer> panels;
  size_t packed_bytes = 0;       // of panels, when this node packed them (else shared)
  AlignedBuffer channel_params;  // bias, then Prelu alphas, each [padded N]
  TailParams tail;
  TileSet tiles;
  int residual_input = -1;
  std::vector<int> packed_inputs;  // the constants folded in, released after compile

  int64_t panel_count(int64_t channels) const { return (channels + kPanel - 1) / kPanel; }
};

// The node's operands packed per `weights`, or none when its fused tail is
// one the tiles do not compute (an activation they lack, a residual that is
// also input 0, whose rows every panel reads). A weight value read by
// several nodes of one graph (an unrolled RNN's steps) is packed once.
Expected<std::optional<PackedOperands>> pack_operands(const KernelContext& context, const GemmWeights& weights);

// body(begin, end) over contiguous parts of [0, items), one per thread of a
// team of `team` (OpenMP), so each core reads rows its own L2 holds.
template <typename Body>
void run_split(int team, int64_t items, const Body& body) {
  if (team <= 1 || items <= 1) {
    body(int64_t{0}, items);
    return;
  }
#pragma omp parallel num_threads(static_cast<int>(std::min<int64_t>(team, items)))
  {
    const int64_t count = omp_get_num_threads(), thread = omp_get_thread_num();
    body(items * thread / count, items * (thread + 1) / count);
  }
}

// The OpenMP team for a kernel made with `threads` (0: all cores, as
// oneDNN takes it).
int team_size(int threads);

}  // namespace leanrt::kernels::fast::packed
