// Reference kernels of reduce (Sum, Mean, Max, Min, Prod, Any, All),
// arg_reduce (ArgMax, ArgMin) and softmax (Softmax, LogSoftmax).
#include <cmath>
#include <limits>

#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {
namespace {

enum class Reduction { kSum, kMean, kMax, kMin, kProd, kAny, kAll };

Reduction reduction_of(const std::string& op) {
  if (op == "Mean") return Reduction::kMean;
  if (op == "Max") return Reduction::kMax;
  if (op == "Min") return Reduction::kMin;
  if (op == "Prod") return Reduction::kProd;
  if (op == "Any") return Reduction::kAny;
  if (op == "All") return Reduction::kAll;
  return Reduction::kSum;
}

// The input walked in order, with the offset of the (keep_dims) output
// element each input element reduces into.
struct ReduceGeometry {
  BroadcastWalk walk;
  int64_t output_elements = 0;
  int64_t reduced_count = 1;  // input elements per output element
};

Expected<ReduceGeometry> reduce_geometry(const KernelContext& context) {
  const Shape& input = context.input(0).shape;
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(1));
  Dims kept = Dims::from(input);
  ReduceGeometry g;
  std::vector<bool> reduced(input.size(), false);
  for (int64_t axis : axes) reduced[*ir::normalize_axis(axis, static_cast<int>(input.size()))] = true;
  for (size_t axis = 0; axis < input.size(); ++axis)
    if (reduced[axis]) {
      g.reduced_count *= input[axis];
      kept[static_cast<int>(axis)] = 1;
    }
  g.output_elements = kept.elements();
  g.walk = BroadcastWalk(Dims::from(input), {kept});
  return g;
}

// Floats accumulate in double (in the scratch buffer): TF reduces with
// Eigen's tree reduction, and a double sum stays within its float rounding.
template <typename T, typename Acc>
Expected<KernelPtr> reduce_kernel(const KernelContext& context, Reduction reduction, const ReduceGeometry& g) {
  const size_t scratch = static_cast<size_t>(g.output_elements) * sizeof(Acc);
  return make_kernel(kernel_name(context.node().op, context.input(0).dtype), [g, reduction](const KernelIO& io) {
    const T* in = io.input(0).as<const T>();
    T* out = io.output(0).as<T>();
    Acc* acc = reinterpret_cast<Acc*>(io.scratch);
    Acc initial = Acc(0);
    if (reduction == Reduction::kProd || reduction == Reduction::kAll) initial = Acc(1);
    if (reduction == Reduction::kMax) initial = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<Acc>::infinity() : Acc(std::numeric_limits<T>::lowest());
    if (reduction == Reduction::kMin) initial = std::numeric_limits<T>::has_infinity ? std::numeric_limits<Acc>::infinity() : Acc(std::numeric_limits<T>::max());
    for (int64_t i = 0; i < g.output_elements; ++i) acc[i] = initial;
    g.walk.for_each_run([&](int64_t in_offset, const int64_t* offsets, int64_t count, const int64_t* steps) {
      for (int64_t i = 0; i < count; ++i) {
        const Acc value = static_cast<Acc>(in[in_offset + i]);
        Acc& target = acc[offsets[0] + i * steps[0]];
        switch (reduction) {
          case Reduction::kSum: case Reduction::kMean: target += value; break;
          case Reduction::kProd: target *= value; break;
          case Reduction::kMax: if (value > target || value != value) target = value; break;
          case Reduction::kMin: if (value < target || value != value) target = value; break;
          case Reduction::kAny: target = (target != Acc(0) || value != Acc(0)) ? Acc(1) : Acc(0); break;
          case Reduction::kAll: target = (target != Acc(0) && value != Acc(0)) ? Acc(1) : Acc(0); break;
        }
      }
    });
    for (int64_t i = 0; i < g.output_elements; ++i) {
      Acc value = acc[i];
      if (reduction == Reduction::kMean) value = g.reduced_count > 0 ? value / static_cast<Acc>(g.reduced_count) : value;
      out[i] = static_cast<T>(value);
    }
    return Status::ok();
  }, scratch);
}

}  // namespace

Expected<KernelPtr> make_reduce(const KernelContext& context) {
  LEANRT_ASSIGN_OR_RETURN(ReduceGeometry g, reduce_geometry(context));
  const Reduction reduction = reduction_of(context.node().op);
  switch (context.input(0).dtype) {
    case DType::kF32: return reduce_kernel<float, double>(context, reduction, g);
    case DType::kF64: return reduce_kernel<double, double>(context, reduction, g);
    case DType::kI32: return reduce_kernel<int32_t, int64_t>(context, reduction, g);
    case DType::kI64: return reduce_kernel<int64_t, int64_t>(context, reduction, g);
    case DType::kBool: return reduce_kernel<bool, int64_t>(context, reduction, g);
    default:
      return context.unsupported("{} on {} is not supported", context.node().op,
                                 dtype_name(context.input(0).dtype));
  }
}

// ArgMax / ArgMin over one axis; ties go to the smallest index, as in TF.
Expected<KernelPtr> make_arg_reduce(const KernelContext& context) {
  const Shape& input = context.input(0).shape;
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(1));
  const int axis = *ir::normalize_axis(axes[0], static_cast<int>(input.size()));
  int64_t outer = 1, inner = 1;
  for (int a = 0; a < axis; ++a) outer *= input[a];
  for (size_t a = axis + 1; a < input.size(); ++a) inner *= input[a];
  const int64_t extent = input[axis];
  const bool is_max = context.node().op == "ArgMax";
  const DType out_type = context.output(0).dtype;
  if (out_type != DType::kI32 && out_type != DType::kI64)
    return context.error("output_type: expected int32 or int64, found {}", dtype_name(out_type));
  return visit_numeric(context.input(0).dtype, [&]<typename T>() -> Expected<KernelPtr> {
    return make_kernel(kernel_name(context.node().op, context.input(0).dtype),
                       [=](const KernelIO& io) {
                         const T* in = io.input(0).as<const T>();
                         for (int64_t o = 0; o < outer; ++o)
                           for (int64_t i = 0; i < inner; ++i) {
                             const T* column = in + o * extent * inner + i;
                             int64_t best = 0;
                             for (int64_t k = 1; k < extent; ++k) {
                               T value = column[k * inner], current = column[best * inner];
                               if (is_max ? value > current : value < current) best = k;
                             }
                             if (out_type == DType::kI32) io.output(0).as<int32_t>()[o * inner + i] = static_cast<int32_t>(best);
                             else io.output(0).as<int64_t>()[o * inner + i] = best;
                           }
                         return Status::ok();
                       });
  });
}

// Softmax over the last axis, max-shifted for stability (TF's SoftmaxOp).
Expected<KernelPtr> make_softmax(const KernelContext& context) {
  if (context.input(0).dtype != DType::kF32) return context.unsupported("{} supports float32 only", context.node().op);
  const Shape& shape = context.input(0).shape;
  const int64_t depth = shape.back();
  const int64_t rows = depth > 0 ? num_elements(shape) / depth : 0;
  const bool log = context.node().op == "LogSoftmax";
  return make_kernel(log ? "log_softmax_f32_ref" : "softmax_f32_ref", [=](const KernelIO& io) {
    const float* in = io.input(0).as<const float>();
    float* out = io.output(0).as<float>();
    for (int64_t r = 0; r < rows; ++r) {
      const float* x = in + r * depth;
      float* y = out + r * depth;
      float max_value = -std::numeric_limits<float>::infinity();
      for (int64_t i = 0; i < depth; ++i) max_value = std::max(max_value, x[i]);
      double sum = 0.0;
      for (int64_t i = 0; i < depth; ++i) {
        const float shifted = x[i] - max_value;
        y[i] = log ? shifted : std::exp(shifted);
        sum += log ? std::exp(shifted) : y[i];
      }
      if (log) {
        const float log_sum = static_cast<float>(std::log(sum));
        for (int64_t i = 0; i < depth; ++i) y[i] -= log_sum;
      } else {
        const float scale = static_cast<float>(1.0 / sum);
        for (int64_t i = 0; i < depth; ++i) y[i] *= scale;
      }
    }
    return Status::ok();
  });
}

}  // namespace leanrt::kernels::ref
