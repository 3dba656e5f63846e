// Fast float32 ResizeBilinear and ResizeNearestNeighbor (NHWC). Source rows,
// columns and weights are computed once at compile time by the reference's
// own tables (kernels/ref/resize_geometry.h); a run walks output rows in
// parallel and, per pixel, the channels with unit stride so the compiler
// vectorises them.
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
#include "leanrt/kernels/fast/fast.h"
#include "leanrt/kernels/fast/parallel_rows.h"
#include "leanrt/kernels/ref/resize_geometry.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::fast {
namespace {

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
    auto source_rows = ref::nearest_axis(in_h, out_h, align_corners, half_pixel, in_row);
    auto source_columns = ref::nearest_axis(in_w, out_w, align_corners, half_pixel, channels);
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
  const ref::BilinearAxis y_axis = ref::bilinear_axis(in_h, out_h, align_corners, half_pixel, in_row);
  const ref::BilinearAxis x_axis = ref::bilinear_axis(in_w, out_w, align_corners, half_pixel, channels);
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
