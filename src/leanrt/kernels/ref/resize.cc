// Reference kernels of resize: ResizeBilinear and ResizeNearestNeighbor
// with align_corners / half_pixel_centers, following TF's
// resize_bilinear_op.cc and resize_nearest_neighbor_op.cc; the source tables
// are resize_geometry.h's.
#include <algorithm>
#include <cmath>

#include "leanrt/kernels/ref/resize_geometry.h"

#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {
namespace {

double resize_scale(int64_t in, int64_t out, bool align_corners) {
  return align_corners && out > 1 ? static_cast<double>(in - 1) / static_cast<double>(out - 1)
                                  : static_cast<double>(in) / static_cast<double>(out);
}

}  // namespace

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

Expected<KernelPtr> make_resize(const KernelContext& context) {
  const Shape& input = context.input(0).shape;
  const Shape& output = context.output(0).shape;
  const bool align_corners = context.attrs().get_or<bool>("align_corners", false);
  const bool half_pixel = context.attrs().get_or<bool>("half_pixel_centers", false);
  const int64_t batch = input[0], in_h = input[1], in_w = input[2], channels = input[3];
  const int64_t out_h = output[1], out_w = output[2];
  if (context.node().op == "ResizeNearestNeighbor") {
    auto rows = nearest_axis(in_h, out_h, align_corners, half_pixel);
    auto columns = nearest_axis(in_w, out_w, align_corners, half_pixel);
    const size_t pixel_bytes = static_cast<size_t>(channels) * dtype_size(context.input(0).dtype);
    return make_kernel(kernel_name("ResizeNearestNeighbor", context.input(0).dtype), [=](const KernelIO& io) {
      const std::byte* in = io.input(0).data;
      std::byte* out = io.output(0).data;
      for (int64_t n = 0; n < batch; ++n)
        for (int64_t y = 0; y < out_h; ++y)
          for (int64_t x = 0; x < out_w; ++x)
            std::memcpy(out + ((n * out_h + y) * out_w + x) * pixel_bytes,
                        in + ((n * in_h + rows[y]) * in_w + columns[x]) * pixel_bytes, pixel_bytes);
      return Status::ok();
    });
  }
  if (context.input(0).dtype != DType::kF32 && context.input(0).dtype != DType::kI32)
    return context.unsupported("ResizeBilinear on {} is not supported", dtype_name(context.input(0).dtype));
  auto rows = bilinear_axis(in_h, out_h, align_corners, half_pixel);
  auto columns = bilinear_axis(in_w, out_w, align_corners, half_pixel);
  const bool int_input = context.input(0).dtype == DType::kI32;
  return make_kernel(int_input ? "resize_bilinear_i32_ref" : "resize_bilinear_f32_ref", [=](const KernelIO& io) {
    float* out = io.output(0).as<float>();
    auto pixel = [&](int64_t n, int64_t y, int64_t x, int64_t c) -> float {
      int64_t at = ((n * in_h + y) * in_w + x) * channels + c;
      return int_input ? static_cast<float>(io.input(0).as<const int32_t>()[at]) : io.input(0).as<const float>()[at];
    };
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t y = 0; y < out_h; ++y)
        for (int64_t x = 0; x < out_w; ++x)
          for (int64_t c = 0; c < channels; ++c) {
            const float top_left = pixel(n, rows.lower[y], columns.lower[x], c);
            const float top_right = pixel(n, rows.lower[y], columns.upper[x], c);
            const float bottom_left = pixel(n, rows.upper[y], columns.lower[x], c);
            const float bottom_right = pixel(n, rows.upper[y], columns.upper[x], c);
            const float top = top_left + (top_right - top_left) * columns.fraction[x];
            const float bottom = bottom_left + (bottom_right - bottom_left) * columns.fraction[x];
            out[((n * out_h + y) * out_w + x) * channels + c] = top + (bottom - top) * rows.fraction[y];
          }
    return Status::ok();
  });
}

}  // namespace leanrt::kernels::ref
