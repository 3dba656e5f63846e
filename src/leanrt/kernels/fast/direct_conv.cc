// Dense NHWC convolutions other than the pointwise ones (3x3, 5x5, strided,
// dilated; one group) as the packed GEMM's tiles (packed_tiles.h), without
// an im2col buffer: a tile's rows are 8 output pixels, each with its own
// input origin, and its segments the window's rows.
//
// The HWIO filter [KH, KW, C, N] is the packed operand with K = KH * KW * C
// (k = (kh * KW + kw) * C + c), as a pointwise filter is with K = C. With
// dilation 1 in width a window row is KW * C contiguous NHWC values, one
// segment; dilated, each tap is a segment of C.
//
// Padding: output pixels are grouped into rectangles whose windows cover
// the same taps (per axis, the runs of outputs with the same first and last
// valid tap: for a 3x3 SAME window, the first row, the inner rows and the
// last row, times the same for columns). A rectangle's segments list only
// its valid taps, so its tiles multiply nothing by padding. Each rectangle
// is enumerated across the whole batch (image-major, then row-major), so
// its tiles span output rows and images and a 7x7 image still fills 8-row
// tiles. What is left of each rectangle after its whole tiles (fewer than 8
// pixels: at batch 1 the corners and short edges) goes into mixed tiles, one
// segment per tap, each row's tap pointing at its input pixel or, in the
// padding, at a row of zeros (wasted multiply-adds on at most 7 pixels per
// rectangle, against oneDNN's 115% of peak on ResNet's 7x7 layers, where
// multiplying all padding left this at 74%).
//
// Known gap: a first layer's windows are short (K = 12-27 for 3 input
// channels), and a tile's fixed work (bias, pointers, activation, stores)
// is then a third of its time: 9-19% slower than oneDNN at batch 1 there.
//
// Why not oneDNN's brgemm convolution, which reaches the FMA peak too: each
// of its primitives holds JIT kernels and descriptors (gear's six 3x3
// layers: 1.4 MiB of heap and JIT code, 6% of its whole peak), and runs
// through libdnnl's code pages. Measured per layer: bench/README.md.
#include <algorithm>

#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/fast/fast.h"
#include "leanrt/kernels/fast/packed_gemm.h"
#include "leanrt/kernels/onednn/onednn_kernel.h"

namespace leanrt::kernels::fast {
namespace {

using namespace packed;

// A convolution's output from this size on is written past the caches
// (packed::Store): more than both cores' L2 together. Measured on gear's
// second layer at batch 1 (a 9.6 MB output): 6.37 ms streamed against 6.73
// ms cached; the 1x1 GEMM keeps packed::kLargeTensorBytes.
constexpr int64_t kLargeOutputBytes = int64_t{4} << 20;

// Up to this many taps (an 8x8 window) a mixed tile's pointers live on the stack.
constexpr int64_t kMaxTaps = 64;

// Outputs [begin, end) of one axis whose windows' valid taps are
// [first_tap, end_tap).
struct AxisRun {
  int64_t begin = 0, end = 0;
  int64_t first_tap = 0, end_tap = 0;
};

// The runs of an axis: output o reads input o * stride - pad_before + tap * dilation.
std::vector<AxisRun> axis_runs(const ir::WindowAxis& axis) {
  std::vector<AxisRun> runs;
  for (int64_t o = 0; o < axis.output; ++o) {
    const int64_t origin = o * axis.stride - axis.pad_before;
    int64_t first_tap = 0;
    while (first_tap < axis.window && origin + first_tap * axis.dilation < 0) ++first_tap;
    int64_t end_tap = axis.window;
    while (end_tap > first_tap && origin + (end_tap - 1) * axis.dilation >= axis.input) --end_tap;
    if (!runs.empty() && runs.back().first_tap == first_tap && runs.back().end_tap == end_tap)
      runs.back().end = o + 1;
    else
      runs.push_back({o, o + 1, first_tap, end_tap});
  }
  return runs;
}

// The output pixels [rows) x [columns) of every image, whose windows read
// the same taps: segments [first_segment, + segment_count) of the kernel's
// list. Its first full_tiles * 8 pixels (image-major, then row-major) go in
// tiles of their own; the rest, fewer than 8, join the mixed tiles.
struct Rectangle {
  AxisRun rows, columns;
  int first_segment = 0, segment_count = 0;
  int64_t full_tiles = 0;
  int64_t per_image() const { return (rows.end - rows.begin) * (columns.end - columns.begin); }
};

// An output pixel (a mixed tile's, or where a rectangle's next tile starts).
struct Pixel {
  int64_t image, oh, ow;
};

class DirectConvKernel final : public Kernel {
 public:
  DirectConvKernel(const ir::Window2D& window, int64_t batch, int64_t channels_in, int64_t channels_out, int threads,
                   PackedOperands operands)
      : window_(window), batch_(batch), channels_in_(channels_in), channels_out_(channels_out), threads_(threads),
        depth_(window.height.window * window.width.window * channels_in), operands_(std::move(operands)),
        zeros_(static_cast<size_t>(channels_in) * sizeof(float)) {
    std::fill_n(reinterpret_cast<float*>(zeros_.data()), channels_in_, 0.0f);
    for (const AxisRun& rows : axis_runs(window.height))
      for (const AxisRun& columns : axis_runs(window.width)) add_rectangle(rows, columns);
    for (const Rectangle& rectangle : rectangles_) full_tiles_ += rectangle.full_tiles;
    const int64_t taps = window.height.window * window.width.window;
    for (int64_t tap = 0; tap < taps; ++tap) tap_segments_.push_back({0, tap * channels_in_, channels_in_});
  }

  Status run(const KernelIO& io) override {
    const float* in = io.input(0).as<const float>();
    float* out = io.output(0).as<float>();
    const int residual_input = operands_.residual_input;
    const float* residual = residual_input >= 0 ? io.input(residual_input).as<const float>() : nullptr;
    const int64_t out_bytes =
        batch_ * window_.height.output * window_.width.output * channels_out_ * static_cast<int64_t>(sizeof(float));
    const Store store = store_mode(out_bytes, out, channels_out_, residual != nullptr, kLargeOutputBytes);
    const int64_t tiles = full_tiles_ + (static_cast<int64_t>(mixed_.size()) + kTileRows - 1) / kTileRows;
    run_split(team_size(threads_), tiles * panel_count(), [&](int64_t begin, int64_t end) {
      run_units(in, out, residual, store, begin, end);
      if (store == Store::kStreamed) store_fence();
    });
    return Status::ok();
  }
  std::string name() const override { return "conv2d_f32_direct"; }
  std::vector<int> packed_inputs() const override { return operands_.packed_inputs; }
  size_t packed_weights_bytes() const override {
    return operands_.packed_bytes + operands_.channel_params.size_bytes();
  }
  int in_place_input() const override { return operands_.residual_input; }

 private:
  int64_t panel_count() const { return operands_.panel_count(channels_out_); }
  const float* panel(int64_t index) const {
    return reinterpret_cast<const float*>(operands_.panels->data()) + index * depth_ * kPanel;
  }

  // The rectangle's segments, from its first valid tap (first_tap of rows
  // and columns) on: one per window row when the row's taps are adjacent
  // pixels, else one per tap.
  void add_rectangle(const AxisRun& rows, const AxisRun& columns) {
    Rectangle rectangle{rows, columns, static_cast<int>(segments_.size())};
    const ir::WindowAxis& width = window_.width;
    for (int64_t kh = rows.first_tap; kh < rows.end_tap && columns.first_tap < columns.end_tap; ++kh) {
      const int64_t row_offset = (kh - rows.first_tap) * window_.height.dilation * width.input;
      if (width.dilation == 1) {
        segments_.push_back({row_offset * channels_in_, (kh * width.window + columns.first_tap) * channels_in_,
                             (columns.end_tap - columns.first_tap) * channels_in_});
        continue;
      }
      for (int64_t kw = columns.first_tap; kw < columns.end_tap; ++kw)
        segments_.push_back({(row_offset + (kw - columns.first_tap) * width.dilation) * channels_in_,
                             (kh * width.window + kw) * channels_in_, channels_in_});
    }
    rectangle.segment_count = static_cast<int>(segments_.size()) - rectangle.first_segment;
    const int64_t pixels = batch_ * rectangle.per_image();
    rectangle.full_tiles = pixels / kTileRows;
    for (int64_t pixel = rectangle.full_tiles * kTileRows; pixel < pixels; ++pixel) mixed_.push_back(locate(rectangle, pixel));
    rectangles_.push_back(rectangle);
  }

  static Pixel locate(const Rectangle& rectangle, int64_t pixel) {
    const int64_t width = rectangle.columns.end - rectangle.columns.begin;
    const int64_t at = pixel % rectangle.per_image();
    return {pixel / rectangle.per_image(), rectangle.rows.begin + at / width, rectangle.columns.begin + at % width};
  }
  int64_t output_offset(const Pixel& pixel) const {
    return ((pixel.image * window_.height.output + pixel.oh) * window_.width.output + pixel.ow) * channels_out_;
  }
  // The input pixel a window's tap (kh, kw) reads, or null in the padding.
  const float* tap_input(const float* in, const Pixel& pixel, int64_t kh, int64_t kw) const {
    const int64_t ih = pixel.oh * window_.height.stride - window_.height.pad_before + kh * window_.height.dilation;
    const int64_t iw = pixel.ow * window_.width.stride - window_.width.pad_before + kw * window_.width.dilation;
    if (ih < 0 || ih >= window_.height.input || iw < 0 || iw >= window_.width.input) return nullptr;
    return in + ((pixel.image * window_.height.input + ih) * window_.width.input + iw) * channels_in_;
  }

  // Where a pixel of `rectangle` reads from: its first valid tap's input
  // pixel (a window wholly in the padding has no segments: never read).
  const float* origin(const float* in, const Rectangle& rectangle, const Pixel& pixel) const {
    if (rectangle.segment_count == 0) return in;
    return tap_input(in, pixel, rectangle.rows.first_tap, rectangle.columns.first_tap);
  }
  // Moves `cursor` `columns` pixels along its row of `rectangle` (to the
  // row's end at most), wrapping to the next row and image there.
  static void advance(const Rectangle& rectangle, Pixel& cursor, int64_t columns) {
    if ((cursor.ow += columns) < rectangle.columns.end) return;
    cursor.ow = rectangle.columns.begin;
    if (++cursor.oh < rectangle.rows.end) return;
    cursor.oh = rectangle.rows.begin;
    ++cursor.image;
  }

  // The rows of a full tile of `rectangle` from pixel `cursor` on, which it
  // leaves at the next tile's first pixel: the 8 pixels follow one another
  // along the rectangle's rows (no division per row: at 12-27 multiply-adds
  // per pixel a first layer's tiles are short).
  void rectangle_rows(const float* in, const Rectangle& rectangle, Pixel& cursor, TileRows& rows) const {
    rows.segment_rows = nullptr;
    if (cursor.ow + kTileRows <= rectangle.columns.end) {  // one output row: fixed strides
      const float* first_origin = origin(in, rectangle, cursor);
      const int64_t out_offset = output_offset(cursor);
      const int64_t in_step = rectangle.segment_count == 0 ? 0 : window_.width.stride * channels_in_;
      for (int r = 0; r < kTileRows; ++r) {
        rows.in[r] = first_origin + r * in_step;
        rows.out[r] = out_offset + r * channels_out_;
      }
      advance(rectangle, cursor, kTileRows);
      return;
    }
    for (int r = 0; r < kTileRows; ++r) {
      rows.in[r] = origin(in, rectangle, cursor);
      rows.out[r] = output_offset(cursor);
      advance(rectangle, cursor, 1);
    }
  }

  // The rows of mixed tile `tile`: each tap of each row points at its input
  // pixel or, in the padding, at zeros (table[tap * 8 + r]). Rows past the
  // end repeat the last pixel (never stored: the tiles take only real rows).
  int mixed_rows(const float* in, int64_t tile, TileRows& rows, const float** table) const {
    const int64_t first = tile * kTileRows, count = static_cast<int64_t>(mixed_.size());
    const float* zeros = reinterpret_cast<const float*>(zeros_.data());
    for (int r = 0; r < kTileRows; ++r) {
      const Pixel& pixel = mixed_[std::min(first + r, count - 1)];
      rows.in[r] = in;
      rows.out[r] = output_offset(pixel);
      for (int64_t kh = 0, tap = 0; kh < window_.height.window; ++kh)
        for (int64_t kw = 0; kw < window_.width.window; ++kw, ++tap) {
          const float* input = tap_input(in, pixel, kh, kw);
          table[tap * kTileRows + r] = input ? input : zeros;
        }
    }
    rows.segment_rows = table;
    return static_cast<int>(std::min<int64_t>(kTileRows, count - first));
  }

  // Units [begin, end) of (tile, panel), panels innermost; the rectangles'
  // full tiles in order, then the mixed ones. Consecutive tiles of a
  // rectangle continue from the pixel the last one ended at.
  void run_units(const float* in, float* out, const float* residual, Store store, int64_t begin, int64_t end) const {
    const int64_t panels = panel_count();
    const float* table[kMaxTaps * kTileRows];
    TileRows rows;
    // No input prefetch: the next tile's windows overlap this one's, and the
    // hardware prefetcher follows the rows (gear at batch 1: within noise).
    rows.next_in = 0;
    rows.next_out = kTileRows * channels_out_;
    size_t rectangle = 0;
    int64_t rectangle_first_tile = 0, previous_tile = -2;
    Pixel cursor{};
    for (int64_t tile = begin / panels; tile * panels < end; ++tile) {
      const Segment* segments = tap_segments_.data();
      int segment_count = static_cast<int>(tap_segments_.size());
      int tile_pixels = kTileRows;
      if (tile < full_tiles_) {
        bool continues = tile == previous_tile + 1;
        while (tile >= rectangle_first_tile + rectangles_[rectangle].full_tiles) {
          rectangle_first_tile += rectangles_[rectangle++].full_tiles;
          continues = false;
        }
        const Rectangle& here = rectangles_[rectangle];
        if (!continues) cursor = locate(here, (tile - rectangle_first_tile) * kTileRows);
        rectangle_rows(in, here, cursor, rows);
        segments = segments_.data() + here.first_segment;
        segment_count = here.segment_count;
      } else {
        tile_pixels = mixed_rows(in, tile - full_tiles_, rows, table);
      }
      previous_tile = tile;
      const int64_t first_panel = std::max<int64_t>(begin - tile * panels, 0);
      const int64_t end_panel = std::min<int64_t>(end - tile * panels, panels);
      for (int64_t index = first_panel; index < end_panel; ++index) {
        const int64_t channel = index * kPanel;
        const int columns = static_cast<int>(std::min<int64_t>(kPanel, channels_out_ - channel));
        for (int first = 0; first < tile_pixels;) {
          const int rows_here = TileSet::rows_of(tile_pixels - first);
          operands_.tiles.get(rows_here, columns, store)(rows, first, segments, segment_count, panel(index), 0, out,
                                                         residual, channel, columns, operands_.tail);
          first += rows_here;
        }
      }
    }
  }

  ir::Window2D window_;
  int64_t batch_, channels_in_, channels_out_;
  int threads_;
  int64_t depth_;  // KH * KW * C
  PackedOperands operands_;
  AlignedBuffer zeros_;  // C floats: what a mixed tile's tap in the padding reads
  std::vector<Segment> segments_;      // the rectangles'
  std::vector<Rectangle> rectangles_;
  int64_t full_tiles_ = 0;
  std::vector<Pixel> mixed_;           // fewer than 8 per rectangle
  std::vector<Segment> tap_segments_;  // per tap: the mixed tiles'
};

// A dense (one group) NHWC float32 convolution with a constant filter that
// is not pointwise (pointwise_conv.cc takes those).
std::optional<ir::Window2D> direct_window(const KernelContext& context) {
  const std::string& op = context.node().op;
  if (op.find("Depthwise") != std::string::npos || op.find("Transpose") != std::string::npos) return std::nullopt;
  if (context.input(0).dtype != DType::kF32 || context.input(1).dtype != DType::kF32) return std::nullopt;
  const Shape& input = context.input(0).shape;
  const Shape& filter = context.input(1).shape;
  if (input.size() != 4 || filter.size() != 4 || !context.input(1).is_constant()) return std::nullopt;
  if (filter[2] != input[3] || filter[0] * filter[1] > kMaxTaps) return std::nullopt;
  if (context.attrs().get_or<std::string>("data_format", "NHWC") != "NHWC") return std::nullopt;
  auto window = ir::window_2d(context.attrs(), input, filter[0], filter[1]);
  if (!window) return std::nullopt;
  if (num_elements(input) == 0 || num_elements(context.output(0).shape) == 0) return std::nullopt;
  bool pointwise = filter[0] == 1 && filter[1] == 1;
  for (const ir::WindowAxis* axis : {&window->height, &window->width})
    pointwise = pointwise && axis->stride == 1 && axis->pad_before == 0 && axis->pad_after == 0;
  if (pointwise) return std::nullopt;
  return *window;
}

}  // namespace

Expected<KernelPtr> make_direct_conv(const KernelContext& context, const KernelOptions& options) {
  if (!packed_gemm_supported()) return KernelPtr();
  const std::optional<ir::Window2D> window = direct_window(context);
  if (!window) return KernelPtr();
  const Shape& input = context.input(0).shape;
  const Shape& filter = context.input(1).shape;
  GemmWeights weights;
  weights.depth = filter[0] * filter[1] * filter[2];
  weights.channels = filter[3];
  weights.k_stride = weights.channels;
  auto operands = pack_operands(context, weights);
  if (!operands) return operands.status();
  if (!*operands) return KernelPtr();
  const double multiply_adds =
      static_cast<double>(num_elements(context.output(0).shape)) * static_cast<double>(weights.depth);
  const int threads = onednn::primitive_threads(multiply_adds, options.threads, onednn::kMinParallelConvWork);
  return KernelPtr(new DirectConvKernel(*window, input[0], input[3], weights.channels, threads, std::move(**operands)));
}

}  // namespace leanrt::kernels::fast
