// Reference kernels of conv2d (Conv2D incl. grouped, DepthwiseConv2dNative,
// and their TF.js fused forms) and conv2d_transpose (Conv2DBackpropInput).
// Plain loops, NHWC input, HWIO filter; the oracle for the fast paths.
#include <algorithm>

#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/ref/epilogue.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {
namespace {

struct ConvGeometry {
  int64_t batch, in_height, in_width, in_channels;
  int64_t out_height, out_width, out_channels;
  int64_t kernel_height, kernel_width;
  int64_t stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  int64_t group_in_channels;   // input channels each output channel reads (conv)
  int64_t group_out_channels;  // output channels per group (conv)
  int64_t multiplier;          // depthwise channel multiplier
};

Expected<ConvGeometry> geometry(const KernelContext& context, const Shape& input, const Shape& filter,
                                const Shape& output) {
  auto window = ir::window_2d(context.attrs(), input, filter[0], filter[1]);
  if (!window) return window.status().with_context(context.where());
  ConvGeometry g{};
  g.batch = input[0];
  g.in_height = input[1];
  g.in_width = input[2];
  g.in_channels = input[3];
  g.out_height = output[1];
  g.out_width = output[2];
  g.out_channels = output[3];
  g.kernel_height = filter[0];
  g.kernel_width = filter[1];
  g.stride_h = window->height.stride;
  g.stride_w = window->width.stride;
  g.dilation_h = window->height.dilation;
  g.dilation_w = window->width.dilation;
  g.pad_top = window->height.pad_before;
  g.pad_left = window->width.pad_before;
  g.group_in_channels = filter[2];
  const int64_t groups = filter[2] > 0 ? input[3] / filter[2] : 1;
  g.group_out_channels = groups > 0 ? filter[3] / groups : filter[3];
  g.multiplier = filter[3];
  return g;
}

void conv2d(const ConvGeometry& g, const float* input, const float* filter, float* output) {
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t oy = 0; oy < g.out_height; ++oy) {
      for (int64_t ox = 0; ox < g.out_width; ++ox) {
        float* out = output + ((n * g.out_height + oy) * g.out_width + ox) * g.out_channels;
        std::fill(out, out + g.out_channels, 0.0f);
        for (int64_t ky = 0; ky < g.kernel_height; ++ky) {
          const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          if (iy < 0 || iy >= g.in_height) continue;
          for (int64_t kx = 0; kx < g.kernel_width; ++kx) {
            const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
            if (ix < 0 || ix >= g.in_width) continue;
            const float* pixel = input + ((n * g.in_height + iy) * g.in_width + ix) * g.in_channels;
            const float* taps = filter + (ky * g.kernel_width + kx) * g.group_in_channels * g.out_channels;
            for (int64_t co_first = 0; co_first < g.out_channels; co_first += g.group_out_channels) {
              const int64_t ci_first = co_first / g.group_out_channels * g.group_in_channels;
              for (int64_t ci = 0; ci < g.group_in_channels; ++ci) {
                const float value = pixel[ci_first + ci];
                const float* weights = taps + ci * g.out_channels;
                for (int64_t co = co_first; co < co_first + g.group_out_channels; ++co) out[co] += value * weights[co];
              }
            }
          }
        }
      }
    }
  }
}

void depthwise_conv2d(const ConvGeometry& g, const float* input, const float* filter, float* output) {
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t oy = 0; oy < g.out_height; ++oy) {
      for (int64_t ox = 0; ox < g.out_width; ++ox) {
        float* out = output + ((n * g.out_height + oy) * g.out_width + ox) * g.out_channels;
        std::fill(out, out + g.out_channels, 0.0f);
        for (int64_t ky = 0; ky < g.kernel_height; ++ky) {
          const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          if (iy < 0 || iy >= g.in_height) continue;
          for (int64_t kx = 0; kx < g.kernel_width; ++kx) {
            const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
            if (ix < 0 || ix >= g.in_width) continue;
            const float* pixel = input + ((n * g.in_height + iy) * g.in_width + ix) * g.in_channels;
            const float* taps = filter + (ky * g.kernel_width + kx) * g.in_channels * g.multiplier;
            for (int64_t c = 0; c < g.in_channels * g.multiplier; ++c) out[c] += pixel[c / g.multiplier] * taps[c];
          }
        }
      }
    }
  }
}

}  // namespace

Expected<KernelPtr> make_conv2d(const KernelContext& context) {
  if (context.input(0).dtype != DType::kF32 || context.input(1).dtype != DType::kF32)
    return context.unsupported("{} on {} is not supported (float32 only)", context.node().op,
                               dtype_name(context.input(0).dtype));
  const bool depthwise = context.node().op.find("Depthwise") != std::string::npos;
  LEANRT_ASSIGN_OR_RETURN(ConvGeometry g, geometry(context, context.input(0).shape, context.input(1).shape,
                                                   context.output(0).shape));
  LEANRT_ASSIGN_OR_RETURN(Epilogue epilogue, Epilogue::parse(context, 2, g.out_channels));
  std::string name = depthwise ? "depthwise_conv2d_f32_ref" : "conv2d_f32_ref";
  return make_kernel(name, [g, epilogue, depthwise](const KernelIO& io) {
    const float* input = io.input(0).as<const float>();
    const float* filter = io.input(1).as<const float>();
    float* output = io.output(0).as<float>();
    if (depthwise) depthwise_conv2d(g, input, filter, output);
    else conv2d(g, input, filter, output);
    epilogue.apply(io, output, g.batch * g.out_height * g.out_width, g.out_channels);
    return Status::ok();
  });
}

// Conv2DBackpropInput(input_sizes, filter [H, W, C, K], out_backprop
// [N, OH, OW, K]): each gradient pixel scatters into the input-sized result
// through the same window a Conv2D of the result would have used.
Expected<KernelPtr> make_conv2d_transpose(const KernelContext& context) {
  if (context.input(1).dtype != DType::kF32 || context.input(2).dtype != DType::kF32)
    return context.unsupported("Conv2DBackpropInput supports float32 only");
  const Shape& result = context.output(0).shape;
  const Shape& filter = context.input(1).shape;
  const Shape& gradient = context.input(2).shape;
  LEANRT_ASSIGN_OR_RETURN(ConvGeometry g, geometry(context, result, filter, gradient));
  return make_kernel("conv2d_transpose_f32_ref", [g](const KernelIO& io) {
    const float* weights = io.input(1).as<const float>();
    const float* grad = io.input(2).as<const float>();
    float* out = io.output(0).as<float>();
    // Here in_* is the result and out_* the gradient, as in the forward conv.
    std::fill(out, out + g.batch * g.in_height * g.in_width * g.in_channels, 0.0f);
    for (int64_t n = 0; n < g.batch; ++n)
      for (int64_t oy = 0; oy < g.out_height; ++oy)
        for (int64_t ox = 0; ox < g.out_width; ++ox) {
          const float* grad_pixel = grad + ((n * g.out_height + oy) * g.out_width + ox) * g.out_channels;
          for (int64_t ky = 0; ky < g.kernel_height; ++ky) {
            const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
            if (iy < 0 || iy >= g.in_height) continue;
            for (int64_t kx = 0; kx < g.kernel_width; ++kx) {
              const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
              if (ix < 0 || ix >= g.in_width) continue;
              float* pixel = out + ((n * g.in_height + iy) * g.in_width + ix) * g.in_channels;
              const float* taps = weights + (ky * g.kernel_width + kx) * g.in_channels * g.out_channels;
              for (int64_t c = 0; c < g.in_channels; ++c) {
                float sum = 0.0f;
                for (int64_t k = 0; k < g.out_channels; ++k) sum += grad_pixel[k] * taps[c * g.out_channels + k];
                pixel[c] += sum;
              }
            }
          }
        }
    return Status::ok();
  });
}

}  // namespace leanrt::kernels::ref
