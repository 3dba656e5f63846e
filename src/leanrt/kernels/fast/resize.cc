// Fast float32 ResizeBilinear and ResizeNearestNeighbor (NHWC). Source rows,
// columns and weights are computed once at compile time, with the reference's
// arithmetic (TF's resize_bilinear_op.cc / resize_nearest_neighbor_op.cc,
// coordinates in double); a run walks output rows in parallel and, per
// pixel, the channels with unit stride so the compiler vectorises them.
//
// Bilinear is the reference's expression term for term,
//   top = tl + (tr - tl) * fx, bottom = bl + (br - bl) * fx,
//   out = top + (bottom - top) * fy,
// so the compiler contracts it into the same fused multiply-adds in both
// kernels and the results match bit for bit (tests/kernels/
// fast_data_movement_test.cc holds us to it).
#include <cmath>
#include <cstring>

#include "leanrt/kernels/fast/copy_floats.h"
#include "leanrt/kernels/fast/data_movement.h"
#include "leanrt/kernels/fast/parallel_rows.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::fast {
namespace {

double resize_scale(int64_t in, int64_t out, bool align_corners) {
  return align_corners && out > 1 ? static_cast<double>(in - 1) / static_cast<double>(out - 1)
                                  : static_cast<double>(in) / static_cast<double>(out);
}

// Per output position along one axis: the two source positions, premultiplied
// by `step` (elements between neighbours on that axis), and the weight of
// the upper one.
struct BilinearAxis {
  std::vector<int64_t> lower, upper;
  std::vector<float> fraction;
};

BilinearAxis bilinear_axis(int64_t in, int64_t out, bool align_corners, bool half_pixel, int64_t step) {
  BilinearAxis axis;
  const double scale = resize_scale(in, out, align_corners);
  for (int64_t i = 0; i < out; ++i) {
    const double source = half_pixel ? (static_cast<double>(i) + 0.5) * scale - 0.5 : static_cast<double>(i) * scale;
    const double floor_value = std::floor(source);
    axis.lower.push_back(std::max<int64_t>(static_cast<int64_t>(floor_value), 0) * step);
    axis.upper.push_back(std::min<int64_t>(static_cast<int64_t>(std::ceil(source)), in - 1) * step);
    axis.fraction.push_back(static_cast<float>(source - floor_value));
  }
  return axis;
}

std::vector<int64_t> nearest_axis(int64_t in, int64_t out, bool align_corners, bool half_pixel, int64_t step) {
  std::vector<int64_t> index;
  const double scale = resize_scale(in, out, align_corners);
  for (int64_t i = 0; i < out; ++i) {
    const double source = half_pixel ? (static_cast<double>(i) + 0.5) * scale : static_cast<double>(i) * scale;
    int64_t nearest = static_cast<int64_t>(align_corners ? std::round(source) : std::floor(source));
    nearest = std::min(nearest, in - 1);
    if (half_pixel) nearest = std::max<int64_t>(nearest, 0);
    index.push_back(nearest * step);
  }
  return index;
}

// One output pixel of `channels` values, in groups of kGroup (a multiple of
// kGroup: 8 lets the compiler use whole AVX vectors with no remainder loop).
// The expression is the reference's (see the top of the file).
template <int kGroup>
inline void lerp_pixel(float* __restrict target, const float* __restrict top_left, const float* __restrict top_right,
                       const float* __restrict bottom_left, const float* __restrict bottom_right, float fx, float fy,
                       int64_t channels) {
  for (int64_t group = 0; group < channels; group += kGroup)
    for (int64_t c = group; c < group + kGroup; ++c) {
      const float top = top_left[c] + (top_right[c] - top_left[c]) * fx;
      const float bottom = bottom_left[c] + (bottom_right[c] - bottom_left[c]) * fx;
      target[c] = top + (bottom - top) * fy;
    }
}

}  // namespace

Expected<KernelPtr> make_resize(const KernelContext& context, const KernelOptions& options) {
  if (context.input(0).dtype != DType::kF32 || context.output(0).dtype != DType::kF32) return KernelPtr();
  const Shape& input = context.input(0).shape;
  const Shape& output = context.output(0).shape;
  if (input.size() != 4 || output.size() != 4) return KernelPtr();
  if (num_elements(input) == 0 || num_elements(output) == 0) return KernelPtr();
  const bool align_corners = context.attrs().get_or<bool>("align_corners", false);
  const bool half_pixel = context.attrs().get_or<bool>("half_pixel_centers", false);
  const int64_t batch = input[0], in_h = input[1], in_w = input[2], channels = input[3];
  const int64_t out_h = output[1], out_w = output[2];
  const int64_t rows = batch * out_h;
  const int64_t output_bytes = num_elements(output) * static_cast<int64_t>(sizeof(float));
  const int64_t in_row = in_w * channels, out_row = out_w * channels;  // elements per image row

  if (context.node().op == "ResizeNearestNeighbor") {
    auto source_rows = nearest_axis(in_h, out_h, align_corners, half_pixel, in_row);
    auto source_columns = nearest_axis(in_w, out_w, align_corners, half_pixel, channels);
    return ref::make_kernel("resize_nearest_neighbor_f32_fast", [=](const KernelIO& io) {
      const float* in = io.input(0).as<const float>();
      float* out = io.output(0).as<float>();
      parallel_rows(rows, output_bytes, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
          const int64_t n = row / out_h, y = row % out_h;
          const float* source = in + n * in_h * in_row + source_rows[y];
          float* target = out + row * out_row;
          for (int64_t x = 0; x < out_w; ++x, target += channels) copy_floats(target, source + source_columns[x], channels);
        }
      });
      return Status::ok();
    });
  }

  if (context.node().op != "ResizeBilinear") return KernelPtr();
  const BilinearAxis y_axis = bilinear_axis(in_h, out_h, align_corners, half_pixel, in_row);
  const BilinearAxis x_axis = bilinear_axis(in_w, out_w, align_corners, half_pixel, channels);
  return ref::make_kernel("resize_bilinear_f32_fast", [=](const KernelIO& io) {
    const float* in = io.input(0).as<const float>();
    float* out = io.output(0).as<float>();
    parallel_rows(rows, output_bytes, [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const int64_t n = row / out_h, y = row % out_h;
        const float* image = in + n * in_h * in_row;
        const float* top_row = image + y_axis.lower[y];
        const float* bottom_row = image + y_axis.upper[y];
        const float fy = y_axis.fraction[y];
        float* target = out + row * out_row;
        for (int64_t x = 0; x < out_w; ++x, target += channels) {
          if (channels % 8 == 0)
            lerp_pixel<8>(target, top_row + x_axis.lower[x], top_row + x_axis.upper[x], bottom_row + x_axis.lower[x],
                          bottom_row + x_axis.upper[x], x_axis.fraction[x], fy, channels);
          else
            lerp_pixel<1>(target, top_row + x_axis.lower[x], top_row + x_axis.upper[x], bottom_row + x_axis.lower[x],
                          bottom_row + x_axis.upper[x], x_axis.fraction[x], fy, channels);
        }
      }
    });
    return Status::ok();
  });
}

}  // namespace leanrt::kernels::fast
