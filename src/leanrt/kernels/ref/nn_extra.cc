// Reference kernels of batch_norm (FusedBatchNorm V1-V3, inference form),
// lrn, conv3d, pool3d and space_batch (SpaceToBatchND, BatchToSpaceND).
#include <cmath>
#include <limits>

#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

// y = (x - mean) * rsqrt(variance + epsilon) * scale + offset, per channel.
// With is_training TF normalises by the batch's own statistics instead.
Expected<KernelPtr> make_batch_norm(const KernelContext& context) {
  if (context.input(0).dtype != DType::kF32) return context.unsupported("FusedBatchNorm supports float32 only");
  const Shape& x = context.input(0).shape;
  const bool nchw = context.attrs().get_or<std::string>("data_format", "NHWC") == "NCHW";
  const bool training = context.attrs().get_or<bool>("is_training", false);
  const float epsilon = context.attrs().get_or<float>("epsilon", 1e-4f);
  const int64_t channels = nchw ? x[1] : x[3];
  const int64_t inner = nchw ? x[2] * x[3] : 1;  // contiguous values per channel run
  const int64_t total = num_elements(x);
  const int64_t per_channel = channels > 0 ? total / channels : 0;
  const int outputs = context.num_outputs();
  const size_t scratch = static_cast<size_t>(2 * channels) * sizeof(double);
  return make_kernel("fused_batch_norm_f32_ref", [=](const KernelIO& io) {
    const float* in = io.input(0).as<const float>();
    const float* scale = io.input(1).as<const float>();
    const float* offset = io.input(2).as<const float>();
    double* mean = reinterpret_cast<double*>(io.scratch);
    double* variance = mean + channels;
    auto channel_of = [&](int64_t i) { return (i / inner) % channels; };
    if (training) {
      for (int64_t c = 0; c < channels; ++c) mean[c] = variance[c] = 0.0;
      for (int64_t i = 0; i < total; ++i) mean[channel_of(i)] += in[i];
      for (int64_t c = 0; c < channels; ++c) mean[c] /= static_cast<double>(per_channel);
      for (int64_t i = 0; i < total; ++i) {
        const double d = in[i] - mean[channel_of(i)];
        variance[channel_of(i)] += d * d;
      }
      for (int64_t c = 0; c < channels; ++c) variance[c] /= static_cast<double>(per_channel);
    } else {
      for (int64_t c = 0; c < channels; ++c) {
        mean[c] = io.input(3).as<const float>()[c];
        variance[c] = io.input(4).as<const float>()[c];
      }
    }
    float* out = io.output(0).as<float>();
    for (int64_t i = 0; i < total; ++i) {
      const int64_t c = channel_of(i);
      const float inverse = 1.0f / std::sqrt(static_cast<float>(variance[c]) + epsilon);
      out[i] = (in[i] - static_cast<float>(mean[c])) * inverse * scale[c] + offset[c];
    }
    // The statistics outputs: batch mean and variance, then reserve spaces.
    for (int k = 1; k < outputs; ++k) {
      float* statistic = io.output(k).as<float>();
      for (int64_t c = 0; c < channels; ++c)
        statistic[c] = static_cast<float>(k == 1 || k == 3 ? mean[c] : (k == 2 || k == 4 ? variance[c] : 0.0));
    }
    return Status::ok();
  }, scratch);
}

// LRN over the channel axis (TF's LRNOp): x / (bias + alpha * sum sq)^beta.
Expected<KernelPtr> make_lrn(const KernelContext& context) {
  if (context.input(0).dtype != DType::kF32) return context.unsupported("LRN supports float32 only");
  const Shape& x = context.input(0).shape;
  const int64_t radius = context.attrs().get_or<int64_t>("depth_radius", 5);
  const float bias = context.attrs().get_or<float>("bias", 1.0f);
  const float alpha = context.attrs().get_or<float>("alpha", 1.0f);
  const float beta = context.attrs().get_or<float>("beta", 0.5f);
  const int64_t depth = x[3];
  const int64_t pixels = num_elements(x) / std::max<int64_t>(depth, 1);
  return make_kernel("lrn_f32_ref", [=](const KernelIO& io) {
    const float* in = io.input(0).as<const float>();
    float* out = io.output(0).as<float>();
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t c = 0; c < depth; ++c) {
        float sum = 0.0f;
        for (int64_t k = std::max<int64_t>(0, c - radius); k <= std::min(depth - 1, c + radius); ++k)
          sum += in[p * depth + k] * in[p * depth + k];
        out[p * depth + c] = in[p * depth + c] / std::pow(bias + alpha * sum, beta);
      }
    return Status::ok();
  });
}

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

// SpaceToBatchND: output batch index = (block offsets) * N + n; each
// output element reads the zero-padded input at
// spatial = out_spatial * block + offset - pad_before. BatchToSpaceND is
// the inverse with crops. Both are one walk over the output.
Expected<KernelPtr> make_space_batch(const KernelContext& context) {
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> block, context.const_ints(1));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> pads, context.const_ints(2));
  const Shape input = context.input(0).shape;
  const Shape output = context.output(0).shape;
  const bool to_batch = context.node().op == "SpaceToBatchND";
  const size_t element_bytes = dtype_size(context.output(0).dtype);
  const size_t spatial = block.size();
  int64_t inner = 1;  // elements after the spatial axes, copied as one run
  for (size_t a = spatial + 1; a < input.size(); ++a) inner *= input[a];
  return make_kernel(kernel_name(context.node().op, context.output(0).dtype), [=](const KernelIO& io) {
    const std::byte* in = io.input(0).data;
    std::byte* out = io.output(0).data;
    const Shape& space = to_batch ? input : output;  // the spatial tensor
    const Shape& batch = to_batch ? output : input;  // the batched tensor
    const int64_t space_batch = space[0];
    const size_t run_bytes = static_cast<size_t>(inner) * element_bytes;
    int64_t batch_positions = 1;
    for (size_t a = 0; a < spatial; ++a) batch_positions *= batch[a + 1];
    for (int64_t b = 0; b < batch[0]; ++b) {
      int64_t offset_code = b / space_batch;  // which block offset this batch entry holds
      const int64_t n = b % space_batch;
      int64_t block_offset[8] = {};
      for (int64_t a = static_cast<int64_t>(spatial) - 1; a >= 0; --a) {
        block_offset[a] = offset_code % block[a];
        offset_code /= block[a];
      }
      for (int64_t position = 0; position < batch_positions; ++position) {
        int64_t remaining = position, space_index = n, batch_index = b;
        bool inside = true;
        int64_t coordinate[8] = {};
        for (int64_t a = static_cast<int64_t>(spatial) - 1; a >= 0; --a) {
          coordinate[a] = remaining % batch[a + 1];
          remaining /= batch[a + 1];
        }
        for (size_t a = 0; a < spatial; ++a) {
          const int64_t s = coordinate[a] * block[a] + block_offset[a] - pads[2 * a];
          if (s < 0 || s >= space[a + 1]) inside = false;
          space_index = space_index * space[a + 1] + (inside ? s : 0);
          batch_index = batch_index * batch[a + 1] + coordinate[a];
        }
        std::byte* batch_run = (to_batch ? out : const_cast<std::byte*>(in)) + batch_index * static_cast<int64_t>(run_bytes);
        std::byte* space_run = (to_batch ? const_cast<std::byte*>(in) : out) + space_index * static_cast<int64_t>(run_bytes);
        if (to_batch) {
          if (inside) std::memcpy(batch_run, space_run, run_bytes);
          else std::memset(batch_run, 0, run_bytes);
        } else if (inside) {
          std::memcpy(space_run, batch_run, run_bytes);
        }
      }
    }
    return Status::ok();
  });
}

}  // namespace leanrt::kernels::ref
