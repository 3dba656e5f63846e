// The packed GEMM of packed_gemm.h, in the register tiles of packed_tiles.h.
//
// Why not oneDNN for these: on NHWC activations oneDNN 2.6's brgemm 1x1
// convolution leaves a quarter of the FMA peak unused once the tensors
// outgrow the caches (nanodet's [32, 52, 52, 128] x [128, 128]: 72% of
// peak; its blocked layout reaches 93% but would need blocked activations
// through the model). The gap is memory latency, not arithmetic: the tile
// loop, with the next row block prefetched, runs at 85%. For dense layers
// at batch 1 its matmul costs 0.5-0.8 us of set-up per call around a few
// microseconds of weight streaming. And each oneDNN primitive replaced no
// longer holds JIT code and heap state (0.1-2.1 MiB less peak per model).
//
// Threads take contiguous ranges (row blocks outermost; panels when there
// are fewer than 8 rows), as oneDNN's convolutions and the fast kernels
// split theirs, so each core reads rows its own L2 holds.
//
// Measured against oneDNN in the same models: bench/README.md.
#include "leanrt/kernels/fast/packed_gemm.h"

#include <algorithm>

namespace leanrt::kernels::fast {
namespace {

using namespace packed;

class PackedGemmKernel final : public Kernel {
 public:
  PackedGemmKernel(std::string name, int64_t rows, const GemmWeights& layout, int threads, PackedOperands operands)
      : name_(std::move(name)), rows_(rows), depth_(layout.depth), channels_(layout.channels), threads_(threads),
        operands_(std::move(operands)), segment_{0, 0, layout.depth} {}

  Status run(const KernelIO& io) override {
    const float* in = io.input(0).as<const float>();
    float* out = io.output(0).as<float>();
    const int residual_input = operands_.residual_input;
    const float* residual = residual_input >= 0 ? io.input(residual_input).as<const float>() : nullptr;
    const int team = team_size(threads_);
    const int64_t panels = operands_.panel_count(channels_);
    if (rows_ < kTileRows) {
      run_split(team, panels, [&](int64_t begin, int64_t end) { run_wide(in, out, residual, begin, end); });
      return Status::ok();
    }
    const Store store = store_mode(rows_ * channels_ * static_cast<int64_t>(sizeof(float)), out, channels_,
                                   residual != nullptr);
    run_split(team, (rows_ + kTileRows - 1) / kTileRows * panels, [&](int64_t begin, int64_t end) {
      run_narrow(in, out, residual, store, begin, end);
      if (store == Store::kStreamed) store_fence();  // the streamed lines reach memory before the next step reads them
    });
    return Status::ok();
  }
  std::string name() const override { return name_; }
  std::vector<int> packed_inputs() const override { return operands_.packed_inputs; }
  size_t packed_weights_bytes() const override {
    return operands_.packed_bytes + operands_.channel_params.size_bytes();
  }
  int in_place_input() const override { return operands_.residual_input; }

 private:
  const float* panel(int64_t index) const {
    return reinterpret_cast<const float*>(operands_.panels->data()) + index * depth_ * kPanel;
  }
  // Rows [row, row + 8) of A and the output (those past the end are never
  // read: the tiles take only the rows that exist).
  TileRows rows_from(const float* in, int64_t row) const {
    TileRows rows;
    for (int r = 0; r < kTileRows; ++r) {
      rows.in[r] = in + (row + r) * depth_;
      rows.out[r] = (row + r) * channels_;
    }
    rows.next_in = kTileRows * depth_;
    rows.next_out = kTileRows * channels_;
    return rows;
  }

  // Tiles [begin, end) of (row block, panel), panels innermost.
  void run_narrow(const float* in, float* out, const float* residual, Store store, int64_t begin, int64_t end) const {
    const int64_t panels = operands_.panel_count(channels_);
    TileRows rows;
    int64_t rows_of_block = -1;
    for (int64_t t = begin; t < end; ++t) {
      const int64_t row = t / panels * kTileRows, index = t % panels;
      if (row != rows_of_block) rows = rows_from(in, rows_of_block = row);
      const int64_t channel = index * kPanel;
      const int columns = static_cast<int>(std::min<int64_t>(kPanel, channels_ - channel));
      for (int first = 0, block_rows = static_cast<int>(std::min<int64_t>(kTileRows, rows_ - row)); first < block_rows;) {
        const int tile_rows = TileSet::rows_of(block_rows - first);
        operands_.tiles.get(tile_rows, columns, store)(rows, first, &segment_, 1, panel(index), 0, out, residual,
                                                       channel, columns, operands_.tail);
        first += tile_rows;
      }
    }
  }

  // Panels [begin, end) of every row, up to kWidePanels at a time.
  void run_wide(const float* in, float* out, const float* residual, int64_t begin, int64_t end) const {
    for (int64_t r = 0; r < rows_; ++r) {
      TileRows rows = rows_from(in, r);
      rows.next_in = depth_;  // a wide tile's next row block is the next row
      rows.next_out = channels_;
      for (int64_t first = begin; first < end; first += kWidePanels) {
        const int64_t channel = first * kPanel;
        const int64_t last = std::min(first + kWidePanels, end);
        const int columns = static_cast<int>(std::min(last * kPanel, channels_) - channel);
        operands_.tiles.get_wide(columns)(rows, 0, &segment_, 1, panel(first), depth_ * kPanel, out, residual, channel,
                                          columns, operands_.tail);
      }
    }
  }

  std::string name_;
  int64_t rows_, depth_, channels_;
  int threads_;
  PackedOperands operands_;
  Segment segment_;  // a GEMM row is one segment: all K values
};

}  // namespace

Expected<KernelPtr> make_packed_gemm(const KernelContext& context, std::string name, int64_t rows,
                                     const GemmWeights& weights, int threads) {
  auto operands = pack_operands(context, weights);
  if (!operands) return operands.status();
  if (!*operands) return KernelPtr();
  return KernelPtr(new PackedGemmKernel(std::move(name), rows, weights, threads, std::move(**operands)));
}

}  // namespace leanrt::kernels::fast
