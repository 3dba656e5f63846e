// Reference kernels of the smaller elementwise families: bias_add, prelu,
// select, add_n, clip_by_value, cast.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "leanrt/base/half.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

// BiasAdd: NHWC adds along the last axis; NCHW along axis 1.
Expected<KernelPtr> make_bias_add(const KernelContext& context) {
  const Shape& shape = context.input(0).shape;
  const bool nchw = context.attrs().get_or<std::string>("data_format", "NHWC") == "NCHW";
  const int64_t channels = nchw ? shape[1] : shape.back();
  int64_t inner = 1;  // elements sharing one bias value, contiguous
  if (nchw)
    for (size_t axis = 2; axis < shape.size(); ++axis) inner *= shape[axis];
  const int64_t total = num_elements(shape);
  return visit_numeric(context.input(0).dtype, [&]<typename T>() -> Expected<KernelPtr> {
    if constexpr (std::is_same_v<T, bool>) {
      return context.unsupported("BiasAdd on bool is not supported");
    } else {
      return make_kernel(kernel_name("BiasAdd", context.input(0).dtype), [=](const KernelIO& io) {
        const T* x = io.input(0).as<const T>();
        const T* bias = io.input(1).as<const T>();
        T* out = io.output(0).as<T>();
        for (int64_t i = 0; i < total; ++i) out[i] = x[i] + bias[(i / inner) % channels];
        return Status::ok();
      });
    }
  });
}

Expected<KernelPtr> make_prelu(const KernelContext& context) {
  if (context.input(0).dtype != DType::kF32) return context.unsupported("Prelu supports float32 only");
  BroadcastWalk walk(Dims::from(context.output(0).shape),
                     {Dims::from(context.input(0).shape), Dims::from(context.input(1).shape)});
  return make_kernel("prelu_f32_ref", [walk](const KernelIO& io) {
    const float* x = io.input(0).as<const float>();
    const float* alpha = io.input(1).as<const float>();
    float* out = io.output(0).as<float>();
    walk.for_each_run([&](int64_t out_offset, const int64_t* offsets, int64_t count, const int64_t* steps) {
      for (int64_t i = 0; i < count; ++i) {
        float value = x[offsets[0] + i * steps[0]];
        // Branch-free: the sign of activations is unpredictable.
        out[out_offset + i] = std::max(value, 0.0f) + alpha[offsets[1] + i * steps[1]] * std::min(value, 0.0f);
      }
    });
    return Status::ok();
  });
}

// Select (v1) with a vector condition picks whole rows of x or y; other
// forms are TF broadcasting over (condition, x, y).
Expected<KernelPtr> make_select(const KernelContext& context) {
  const Shape& condition = context.input(0).shape;
  const Shape& output = context.output(0).shape;
  const bool row_select = context.node().op == "Select" && condition.size() == 1 && output.size() > 1;
  Dims condition_dims = Dims::from(condition);
  if (row_select) {  // view the vector as [rows, 1, ..., 1] so broadcasting picks rows
    condition_dims = Dims::from(output);
    for (int axis = 1; axis < condition_dims.rank; ++axis) condition_dims[axis] = 1;
  }
  BroadcastWalk walk(Dims::from(output),
                     {condition_dims, Dims::from(context.input(1).shape), Dims::from(context.input(2).shape)});
  const size_t element_bytes = dtype_size(context.output(0).dtype);
  return make_kernel(kernel_name("Select", context.output(0).dtype), [walk, element_bytes](const KernelIO& io) {
    const bool* pick = io.input(0).as<const bool>();
    const std::byte* x = io.input(1).data;
    const std::byte* y = io.input(2).data;
    std::byte* out = io.output(0).data;
    walk.for_each_run([&](int64_t out_offset, const int64_t* offsets, int64_t count, const int64_t* steps) {
      for (int64_t i = 0; i < count; ++i) {
        const std::byte* source = pick[offsets[0] + i * steps[0]] ? x + (offsets[1] + i * steps[1]) * element_bytes
                                                                 : y + (offsets[2] + i * steps[2]) * element_bytes;
        std::memcpy(out + (out_offset + i) * element_bytes, source, element_bytes);
      }
    });
    return Status::ok();
  });
}

Expected<KernelPtr> make_add_n(const KernelContext& context) {
  const int count = context.num_inputs();
  const int64_t elements = num_elements(context.output(0).shape);
  return visit_numeric(context.output(0).dtype, [&]<typename T>() -> Expected<KernelPtr> {
    if constexpr (std::is_same_v<T, bool>) {
      return context.unsupported("AddN on bool is not supported");
    } else {
      return make_kernel(kernel_name("AddN", context.output(0).dtype), [=](const KernelIO& io) {
        T* out = io.output(0).as<T>();
        // Accumulate into the output; input 0 is read first so an output
        // written over input 0 (in place) stays correct.
        const T* first = io.input(0).as<const T>();
        for (int64_t i = 0; i < elements; ++i) out[i] = first[i];
        for (int k = 1; k < count; ++k) {
          const T* in = io.input(k).as<const T>();
          for (int64_t i = 0; i < elements; ++i) out[i] += in[i];
        }
        return Status::ok();
      });
    }
  });
}

Expected<KernelPtr> make_clip_by_value(const KernelContext& context) {
  BroadcastWalk walk(Dims::from(context.output(0).shape),
                     {Dims::from(context.input(0).shape), Dims::from(context.input(1).shape),
                      Dims::from(context.input(2).shape)});
  return visit_numeric(context.output(0).dtype, [&]<typename T>() -> Expected<KernelPtr> {
    return make_kernel(kernel_name("ClipByValue", context.output(0).dtype), [walk](const KernelIO& io) {
      const T* x = io.input(0).as<const T>();
      const T* low = io.input(1).as<const T>();
      const T* high = io.input(2).as<const T>();
      T* out = io.output(0).as<T>();
      walk.for_each_run([&](int64_t out_offset, const int64_t* offsets, int64_t count, const int64_t* steps) {
        for (int64_t i = 0; i < count; ++i) {
          T value = x[offsets[0] + i * steps[0]];
          T lower = low[offsets[1] + i * steps[1]];
          T upper = high[offsets[2] + i * steps[2]];
          out[out_offset + i] = value < lower ? lower : (value > upper ? upper : value);
        }
      });
      return Status::ok();
    });
  });
}

namespace {

// TF's Cast: float -> int truncates toward zero (C++ conversion); NaN and
// out-of-range values are undefined in TF and saturate here.
template <typename To, typename From>
To cast_value(From value) {
  if constexpr (std::is_same_v<To, bool>) {
    return value != From(0);
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    if (std::isnan(value)) return To(0);
    if (value <= static_cast<From>(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    if (value >= static_cast<From>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(value);
  } else {
    return static_cast<To>(value);
  }
}

}  // namespace

Expected<KernelPtr> make_cast(const KernelContext& context) {
  const DType from = context.input(0).dtype;
  const DType to = context.output(0).dtype;
  const int64_t elements = num_elements(context.output(0).shape);
  const std::string name = fmt::format("cast_{}_{}_ref", short_dtype_name(from), short_dtype_name(to));
  if (from == to) {
    return make_kernel(name, [](const KernelIO& io) {
      copy_if_distinct(io.input(0), io.output(0));
      return Status::ok();
    });
  }
  if (from == DType::kF16 || to == DType::kF16) {
    if (from == DType::kF16 && to == DType::kF32)
      return make_kernel(name, [elements](const KernelIO& io) {
        const uint16_t* in = io.input(0).as<const uint16_t>();
        float* out = io.output(0).as<float>();
        for (int64_t i = 0; i < elements; ++i) out[i] = half_to_float(in[i]);
        return Status::ok();
      });
    if (from == DType::kF32 && to == DType::kF16)
      return make_kernel(name, [elements](const KernelIO& io) {
        const float* in = io.input(0).as<const float>();
        uint16_t* out = io.output(0).as<uint16_t>();
        for (int64_t i = 0; i < elements; ++i) out[i] = float_to_half(in[i]);
        return Status::ok();
      });
    return context.unsupported("Cast from {} to {} is not supported", dtype_name(from), dtype_name(to));
  }
  return visit_numeric(from, [&]<typename From>() -> Expected<KernelPtr> {
    return visit_numeric(to, [&]<typename To>() -> Expected<KernelPtr> {
      return make_kernel(name, [elements](const KernelIO& io) {
        // Elementwise through a register: safe when the output overwrites an
        // input of the same width in place.
        const From* in = io.input(0).as<const From>();
        To* out = io.output(0).as<To>();
        for (int64_t i = 0; i < elements; ++i) out[i] = cast_value<To>(in[i]);
        return Status::ok();
      });
    });
  });
}

}  // namespace leanrt::kernels::ref
