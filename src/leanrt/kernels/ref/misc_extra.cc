// Reference kernels of one_hot, random_uniform, cumulative (Cumsum,
// Cumprod), einsum, scatter_nd and top_k.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "leanrt/ir/ops/einsum_equation.h"
#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {
namespace {

int64_t integer_at(const TensorView& view, int64_t i) {
  return view.dtype == DType::kI64 ? view.as<const int64_t>()[i] : view.as<const int32_t>()[i];
}

}  // namespace

// OneHot: out-of-range (and negative) indices give a row of off_value.
Expected<KernelPtr> make_one_hot(const KernelContext& context) {
  const Shape& indices = context.input(0).shape;
  const Shape& output = context.output(0).shape;
  int64_t axis = context.attrs().get_or<int64_t>("axis", -1);
  if (axis == -1) axis = static_cast<int64_t>(indices.size());
  const int64_t depth = output[axis];
  int64_t outer = 1, inner = 1;
  for (int64_t a = 0; a < axis; ++a) outer *= indices[a];
  for (size_t a = axis; a < indices.size(); ++a) inner *= indices[a];
  const size_t element_bytes = dtype_size(context.output(0).dtype);
  return make_kernel(kernel_name("OneHot", context.output(0).dtype), [=](const KernelIO& io) {
    std::byte* out = io.output(0).data;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t d = 0; d < depth; ++d)
        for (int64_t i = 0; i < inner; ++i) {
          const bool hot = integer_at(io.input(0), o * inner + i) == d;
          std::memcpy(out + ((o * depth + d) * inner + i) * element_bytes, (hot ? io.input(2) : io.input(3)).data,
                      element_bytes);
        }
    return Status::ok();
  });
}

// RandomUniform: [0, 1) from a counter-based generator seeded by the node's
// seed attrs. The stream differs from TF's Philox; graphs use it for
// dropout masks, which inference feeds keep_prob = 1 (the values vanish).
Expected<KernelPtr> make_random_uniform(const KernelContext& context) {
  const int64_t count = num_elements(context.output(0).shape);
  const uint64_t seed = static_cast<uint64_t>(context.attrs().get_or<int64_t>("seed", 0)) * 0x9E3779B97F4A7C15ull +
                        static_cast<uint64_t>(context.attrs().get_or<int64_t>("seed2", 0));
  const bool is_double = context.output(0).dtype == DType::kF64;
  auto state = std::make_shared<uint64_t>(seed);
  return make_kernel(is_double ? "random_uniform_f64_ref" : "random_uniform_f32_ref", [=](const KernelIO& io) {
    for (int64_t i = 0; i < count; ++i) {
      // splitmix64: a new value every call, as a stateful TF op gives.
      uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      const double unit = static_cast<double>(z >> 11) * 0x1.0p-53;
      if (is_double) io.output(0).as<double>()[i] = unit;
      else io.output(0).as<float>()[i] = std::min(static_cast<float>(unit), 0x1.fffffep-1f);
    }
    return Status::ok();
  });
}

// Cumsum / Cumprod along one axis; exclusive shifts by one, reverse runs
// from the end (TF's ScanOp).
Expected<KernelPtr> make_cumulative(const KernelContext& context) {
  const Shape& shape = context.input(0).shape;
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(1));
  const int axis = *ir::normalize_axis(axes[0], static_cast<int>(shape.size()));
  int64_t outer = 1, inner = 1;
  for (int a = 0; a < axis; ++a) outer *= shape[a];
  for (size_t a = axis + 1; a < shape.size(); ++a) inner *= shape[a];
  const int64_t extent = shape[axis];
  const bool exclusive = context.attrs().get_or<bool>("exclusive", false);
  const bool reverse = context.attrs().get_or<bool>("reverse", false);
  const bool product = context.node().op == "Cumprod";
  return visit_numeric(context.input(0).dtype, [&]<typename T>() -> Expected<KernelPtr> {
    if constexpr (std::is_same_v<T, bool>) {
      return context.unsupported("{} on bool is not supported", context.node().op);
    } else {
      return make_kernel(kernel_name(context.node().op, context.input(0).dtype), [=](const KernelIO& io) {
        const T* in = io.input(0).as<const T>();
        T* out = io.output(0).as<T>();
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            T running = product ? T(1) : T(0);
            for (int64_t step = 0; step < extent; ++step) {
              const int64_t k = reverse ? extent - 1 - step : step;
              const int64_t at = (o * extent + k) * inner + i;
              const T value = in[at];
              if (exclusive) out[at] = running;
              running = product ? static_cast<T>(running * value) : static_cast<T>(running + value);
              if (!exclusive) out[at] = running;
            }
          }
        return Status::ok();
      });
    }
  });
}

// Einsum: every output element sums the product of the inputs over the
// labels that do not appear in the output. Plain index arithmetic.
Expected<KernelPtr> make_einsum(const KernelContext& context) {
  if (context.output(0).dtype != DType::kF32) return context.unsupported("Einsum supports float32 only");
  std::vector<Shape> shapes;
  for (int i = 0; i < context.num_inputs(); ++i) shapes.push_back(context.input(i).shape);
  auto plan = ir::plan_einsum(context.attrs().get_or<std::string>("equation", ""), shapes);
  if (!plan) return plan.status().with_context(context.where());
  const int labels = static_cast<int>(plan->label_sizes.size());
  std::vector<bool> in_output(labels, false);
  for (int label : plan->output_labels) in_output[label] = true;
  std::vector<int> summed;
  for (int label = 0; label < labels; ++label)
    if (!in_output[label]) summed.push_back(label);
  // Per input, the element stride of each label (0 where a broadcast axis
  // has size 1 or the label is absent).
  std::vector<std::vector<int64_t>> strides(shapes.size(), std::vector<int64_t>(labels, 0));
  for (size_t i = 0; i < shapes.size(); ++i) {
    int64_t stride = 1;
    for (int64_t axis = static_cast<int64_t>(shapes[i].size()) - 1; axis >= 0; --axis) {
      const int label = plan->input_labels[i][axis];
      if (shapes[i][axis] != 1) strides[i][label] += stride;
      stride *= shapes[i][axis];
    }
  }
  constexpr int kMaxLabels = 64;
  if (labels > kMaxLabels) return context.unsupported("Einsum with {} labels (max {})", labels, kMaxLabels);
  const std::vector<int64_t> sizes = plan->label_sizes;
  const std::vector<int> output_labels = plan->output_labels;
  return make_kernel("einsum_f32_ref", [=](const KernelIO& io) {
    int64_t index[kMaxLabels] = {};
    const int64_t out_count = io.output(0).elements();
    float* out = io.output(0).as<float>();
    int64_t summed_count = 1;
    for (int label : summed) summed_count *= sizes[label];
    for (int64_t o = 0; o < out_count; ++o) {
      int64_t remaining = o;
      for (int64_t a = static_cast<int64_t>(output_labels.size()) - 1; a >= 0; --a) {
        index[output_labels[a]] = remaining % sizes[output_labels[a]];
        remaining /= sizes[output_labels[a]];
      }
      double total = 0.0;
      for (int64_t s = 0; s < summed_count; ++s) {
        int64_t rest = s;
        for (int64_t a = static_cast<int64_t>(summed.size()) - 1; a >= 0; --a) {
          index[summed[a]] = rest % sizes[summed[a]];
          rest /= sizes[summed[a]];
        }
        double product = 1.0;
        for (size_t i = 0; i < strides.size(); ++i) {
          int64_t offset = 0;
          for (int label = 0; label < labels; ++label) offset += index[label] * strides[i][label];
          product *= io.input(static_cast<int>(i)).as<const float>()[offset];
        }
        total += product;
      }
      out[o] = static_cast<float>(total);
    }
    return Status::ok();
  });
}

// ScatterNd: zeros, then updates added at their indices (duplicates sum).
Expected<KernelPtr> make_scatter_nd(const KernelContext& context) {
  const Shape& indices = context.input(0).shape;
  const Shape output = context.output(0).shape;
  const int64_t depth = indices.back();
  const int64_t count = depth > 0 ? num_elements(indices) / depth : 0;
  int64_t slice = 1;
  for (size_t a = depth; a < output.size(); ++a) slice *= output[a];
  const std::string where = context.where();
  return visit_numeric(context.output(0).dtype, [&]<typename T>() -> Expected<KernelPtr> {
    if constexpr (std::is_same_v<T, bool>) {
      return context.unsupported("ScatterNd on bool is not supported");
    } else {
      return make_kernel(kernel_name("ScatterNd", context.output(0).dtype), [=](const KernelIO& io) -> Status {
        T* out = io.output(0).as<T>();
        std::fill(out, out + io.output(0).elements(), T(0));
        const T* updates = io.input(1).as<const T>();
        for (int64_t n = 0; n < count; ++n) {
          int64_t offset = 0;
          for (int64_t d = 0; d < depth; ++d) {
            const int64_t index = integer_at(io.input(0), n * depth + d);
            if (index < 0 || index >= output[d])
              return invalid_argument("{}: index {} on axis {} is out of range [0, {})", where, index, d, output[d]);
            offset = offset * output[d] + index;
          }
          for (int64_t k = 0; k < slice; ++k) out[offset * slice + k] += updates[n * slice + k];
        }
        return Status::ok();
      });
    }
  });
}

// TopKV2: the k largest of each last-axis row, largest first, ties broken
// by the lower index (TF's stable order). Scratch holds one row of indices.
Expected<KernelPtr> make_top_k(const KernelContext& context) {
  const Shape& input = context.input(0).shape;
  const int64_t row = input.back();
  const int64_t rows = row > 0 ? num_elements(input) / row : 0;
  const int64_t k = context.output(0).shape.back();
  const size_t scratch = static_cast<size_t>(row) * sizeof(int32_t);
  return visit_numeric(context.input(0).dtype, [&]<typename T>() -> Expected<KernelPtr> {
    return make_kernel(kernel_name("TopKV2", context.input(0).dtype), [=](const KernelIO& io) {
      int32_t* order = reinterpret_cast<int32_t*>(io.scratch);
      for (int64_t r = 0; r < rows; ++r) {
        const T* values = io.input(0).as<const T>() + r * row;
        std::iota(order, order + row, 0);
        std::partial_sort(order, order + k, order + row, [&](int32_t a, int32_t b) {
          return values[a] > values[b] || (values[a] == values[b] && a < b);
        });
        for (int64_t j = 0; j < k; ++j) {
          io.output(0).as<T>()[r * k + j] = values[order[j]];
          io.output(1).as<int32_t>()[r * k + j] = order[j];
        }
      }
      return Status::ok();
    }, scratch);
  });
}

}  // namespace leanrt::kernels::ref
