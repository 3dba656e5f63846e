// Reference kernel of pool2d: MaxPool and AvgPool, NHWC. As in TF, padded
// positions are never maxed over, and AvgPool divides by the number of
// in-bounds positions only.
#include <limits>

#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

Expected<KernelPtr> make_pool2d(const KernelContext& context) {
  const Shape& input = context.input(0).shape;
  const Shape& output = context.output(0).shape;
  auto ksize = context.attrs().get_or<std::vector<int64_t>>("ksize", {1, 1, 1, 1});
  auto window = ir::window_2d(context.attrs(), input, ksize[1], ksize[2]);
  if (!window) return window.status().with_context(context.where());
  const ir::Window2D w = *window;
  const bool is_max = context.node().op == "MaxPool";
  const DType dtype = context.input(0).dtype;
  if (dtype != DType::kF32) return context.unsupported("{} on {} is not supported", context.node().op, dtype_name(dtype));
  const int64_t batch = input[0], channels = input[3];
  return make_kernel(is_max ? "max_pool_f32_ref" : "avg_pool_f32_ref",
                     [w, is_max, batch, channels, output](const KernelIO& io) {
    const float* in = io.input(0).as<const float>();
    float* out = io.output(0).as<float>();
    const int64_t in_h = w.height.input, in_w = w.width.input;
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t oy = 0; oy < output[1]; ++oy)
        for (int64_t ox = 0; ox < output[2]; ++ox) {
          float* out_pixel = out + ((n * output[1] + oy) * output[2] + ox) * channels;
          const int64_t y0 = oy * w.height.stride - w.height.pad_before;
          const int64_t x0 = ox * w.width.stride - w.width.pad_before;
          const int64_t y_first = std::max<int64_t>(y0, 0), y_last = std::min(y0 + w.height.window, in_h);
          const int64_t x_first = std::max<int64_t>(x0, 0), x_last = std::min(x0 + w.width.window, in_w);
          const float initial = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
          std::fill(out_pixel, out_pixel + channels, initial);
          for (int64_t y = y_first; y < y_last; ++y)
            for (int64_t x = x_first; x < x_last; ++x) {
              const float* in_pixel = in + ((n * in_h + y) * in_w + x) * channels;
              if (is_max)
                for (int64_t c = 0; c < channels; ++c) out_pixel[c] = std::max(out_pixel[c], in_pixel[c]);
              else
                for (int64_t c = 0; c < channels; ++c) out_pixel[c] += in_pixel[c];
            }
          if (!is_max) {
            const float count = static_cast<float>((y_last - y_first) * (x_last - x_first));
            for (int64_t c = 0; c < channels; ++c) out_pixel[c] /= count;
          }
        }
    return Status::ok();
  });
}

}  // namespace leanrt::kernels::ref
