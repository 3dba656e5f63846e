// Reference kernels of conv3d (Conv3D) and pool3d (MaxPool3D, AvgPool3D), NDHWC.
#include <algorithm>
#include <limits>

#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

namespace {

struct Geometry3D {
  int64_t batch = 0, channels = 0, out_channels = 0;
  ir::WindowAxis axes[3];
};

Expected<Geometry3D> geometry_3d(const KernelContext& context, const int64_t* window) {
  LEANRT_ASSIGN_OR_RETURN(ir::Padding padding, ir::parse_padding(context.attrs()));
  auto strides = context.attrs().get_or<std::vector<int64_t>>("strides", {1, 1, 1, 1, 1});
  auto dilations = context.attrs().get_or<std::vector<int64_t>>("dilations", {1, 1, 1, 1, 1});
  const Shape& input = context.input(0).shape;
  Geometry3D g;
  g.batch = input[0];
  g.channels = input[4];
  g.out_channels = context.output(0).shape[4];
  for (int a = 0; a < 3; ++a) {
    g.axes[a] = ir::WindowAxis{input[a + 1], window[a], strides[a + 1], dilations[a + 1]};
    LEANRT_RETURN_IF_ERROR(ir::resolve_window(padding, g.axes[a]).with_context(context.where()));
  }
  return g;
}

}  // namespace

Expected<KernelPtr> make_conv3d(const KernelContext& context) {
  if (context.input(0).dtype != DType::kF32) return context.unsupported("Conv3D supports float32 only");
  const Shape& filter = context.input(1).shape;
  LEANRT_ASSIGN_OR_RETURN(Geometry3D g, geometry_3d(context, filter.data()));
  return make_kernel("conv3d_f32_ref", [g](const KernelIO& io) {
    const float* in = io.input(0).as<const float>();
    const float* w = io.input(1).as<const float>();
    float* out = io.output(0).as<float>();
    const auto& [d, h, wd] = g.axes;
    for (int64_t n = 0; n < g.batch; ++n)
      for (int64_t od = 0; od < d.output; ++od)
        for (int64_t oh = 0; oh < h.output; ++oh)
          for (int64_t ow = 0; ow < wd.output; ++ow) {
            float* pixel = out + (((n * d.output + od) * h.output + oh) * wd.output + ow) * g.out_channels;
            std::fill(pixel, pixel + g.out_channels, 0.0f);
            for (int64_t kd = 0; kd < d.window; ++kd) {
              const int64_t id = od * d.stride - d.pad_before + kd * d.dilation;
              if (id < 0 || id >= d.input) continue;
              for (int64_t kh = 0; kh < h.window; ++kh) {
                const int64_t ih = oh * h.stride - h.pad_before + kh * h.dilation;
                if (ih < 0 || ih >= h.input) continue;
                for (int64_t kw = 0; kw < wd.window; ++kw) {
                  const int64_t iw = ow * wd.stride - wd.pad_before + kw * wd.dilation;
                  if (iw < 0 || iw >= wd.input) continue;
                  const float* source = in + (((n * d.input + id) * h.input + ih) * wd.input + iw) * g.channels;
                  const float* taps = w + ((kd * h.window + kh) * wd.window + kw) * g.channels * g.out_channels;
                  for (int64_t ci = 0; ci < g.channels; ++ci)
                    for (int64_t co = 0; co < g.out_channels; ++co) pixel[co] += source[ci] * taps[ci * g.out_channels + co];
                }
              }
            }
          }
    return Status::ok();
  });
}

Expected<KernelPtr> make_pool3d(const KernelContext& context) {
  if (context.input(0).dtype != DType::kF32) return context.unsupported("3-D pooling supports float32 only");
  auto ksize = context.attrs().get_or<std::vector<int64_t>>("ksize", {1, 1, 1, 1, 1});
  LEANRT_ASSIGN_OR_RETURN(Geometry3D g, geometry_3d(context, ksize.data() + 1));
  const bool is_max = context.node().op == "MaxPool3D";
  return make_kernel(is_max ? "max_pool3d_f32_ref" : "avg_pool3d_f32_ref", [g, is_max](const KernelIO& io) {
    const float* in = io.input(0).as<const float>();
    float* out = io.output(0).as<float>();
    const auto& [d, h, w] = g.axes;
    for (int64_t n = 0; n < g.batch; ++n)
      for (int64_t od = 0; od < d.output; ++od)
        for (int64_t oh = 0; oh < h.output; ++oh)
          for (int64_t ow = 0; ow < w.output; ++ow)
            for (int64_t c = 0; c < g.channels; ++c) {
              float value = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
              int64_t count = 0;
              for (int64_t kd = 0; kd < d.window; ++kd) {
                const int64_t id = od * d.stride - d.pad_before + kd;
                if (id < 0 || id >= d.input) continue;
                for (int64_t kh = 0; kh < h.window; ++kh) {
                  const int64_t ih = oh * h.stride - h.pad_before + kh;
                  if (ih < 0 || ih >= h.input) continue;
                  for (int64_t kw = 0; kw < w.window; ++kw) {
                    const int64_t iw = ow * w.stride - w.pad_before + kw;
                    if (iw < 0 || iw >= w.input) continue;
                    const float x = in[(((n * d.input + id) * h.input + ih) * w.input + iw) * g.channels + c];
                    value = is_max ? std::max(value, x) : value + x;
                    ++count;
                  }
                }
              }
              out[(((n * d.output + od) * h.output + oh) * w.output + ow) * g.channels + c] =
                  is_max ? value : value / static_cast<float>(count);
            }
    return Status::ok();
  });
}

}  // namespace leanrt::kernels::ref
