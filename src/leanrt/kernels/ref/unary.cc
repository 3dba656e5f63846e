// Reference kernels of the unary family, with TensorFlow's definitions
// (tensorflow/core/kernels/cwise_ops.h) where they differ from the obvious.
#include <cmath>
#include <limits>

#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {
namespace {

template <typename T, typename Fn>
Expected<KernelPtr> elementwise(const KernelContext& context, Fn fn) {
  return make_kernel(kernel_name(context.node().op, context.input(0).dtype), [fn](const KernelIO& io) {
    const T* in = io.input(0).as<const T>();
    auto* out = io.output(0).as<std::invoke_result_t<Fn, T>>();
    const int64_t count = io.input(0).elements();
    for (int64_t i = 0; i < count; ++i) out[i] = fn(in[i]);
    return Status::ok();
  });
}

// TF's softplus: avoids overflow of exp for large |x| (threshold from
// tensorflow/core/kernels/softplus_op.h).
template <typename T>
T softplus(T x) {
  const T threshold = std::log(std::numeric_limits<T>::epsilon()) + T(2);
  if (x > -threshold) return x;
  if (x < threshold) return std::exp(x);
  return std::log1p(std::exp(x));
}

template <typename T>
Expected<KernelPtr> make_float(const KernelContext& context) {
  const std::string& op = context.node().op;
  if (op == "Abs") return elementwise<T>(context, [](T x) { return std::abs(x); });
  if (op == "Neg") return elementwise<T>(context, [](T x) { return -x; });
  if (op == "Relu") return elementwise<T>(context, [](T x) { return x > T(0) ? x : T(0); });
  if (op == "Relu6") return elementwise<T>(context, [](T x) { return std::min(std::max(x, T(0)), T(6)); });
  if (op == "LeakyRelu") {
    T alpha = static_cast<T>(context.attrs().get_or<float>("alpha", 0.2f));
    return elementwise<T>(context, [alpha](T x) { return x < T(0) ? alpha * x : x; });
  }
  if (op == "Elu") return elementwise<T>(context, [](T x) { return x < T(0) ? std::expm1(x) : x; });
  if (op == "Selu") {
    return elementwise<T>(context, [](T x) {
      const T scale = T(1.0507009873554804934193349852946);
      const T alpha = T(1.6732632423543772848170429916717);
      return x < T(0) ? scale * alpha * std::expm1(x) : scale * x;
    });
  }
  if (op == "Sigmoid") return elementwise<T>(context, [](T x) { return T(1) / (T(1) + std::exp(-x)); });
  if (op == "Tanh") return elementwise<T>(context, [](T x) { return std::tanh(x); });
  if (op == "Softplus") return elementwise<T>(context, [](T x) { return softplus(x); });
  if (op == "Softsign") return elementwise<T>(context, [](T x) { return x / (T(1) + std::abs(x)); });
  if (op == "Exp") return elementwise<T>(context, [](T x) { return std::exp(x); });
  if (op == "Expm1") return elementwise<T>(context, [](T x) { return std::expm1(x); });
  if (op == "Log") return elementwise<T>(context, [](T x) { return std::log(x); });
  if (op == "Log1p") return elementwise<T>(context, [](T x) { return std::log1p(x); });
  if (op == "Sqrt") return elementwise<T>(context, [](T x) { return std::sqrt(x); });
  if (op == "Rsqrt") return elementwise<T>(context, [](T x) { return T(1) / std::sqrt(x); });
  if (op == "Square") return elementwise<T>(context, [](T x) { return x * x; });
  if (op == "Reciprocal" || op == "Inv") return elementwise<T>(context, [](T x) { return T(1) / x; });
  if (op == "Sign")
    return elementwise<T>(context, [](T x) { return std::isnan(x) ? x : T((x > T(0)) - (x < T(0))); });
  if (op == "Floor") return elementwise<T>(context, [](T x) { return std::floor(x); });
  if (op == "Ceil") return elementwise<T>(context, [](T x) { return std::ceil(x); });
  // TF rounds half to even (banker's rounding), as nearbyint does in the
  // default rounding mode.
  if (op == "Round" || op == "Rint") return elementwise<T>(context, [](T x) { return std::nearbyint(x); });
  if (op == "Sin") return elementwise<T>(context, [](T x) { return std::sin(x); });
  if (op == "Cos") return elementwise<T>(context, [](T x) { return std::cos(x); });
  if (op == "Tan") return elementwise<T>(context, [](T x) { return std::tan(x); });
  if (op == "Asin") return elementwise<T>(context, [](T x) { return std::asin(x); });
  if (op == "Acos") return elementwise<T>(context, [](T x) { return std::acos(x); });
  if (op == "Atan") return elementwise<T>(context, [](T x) { return std::atan(x); });
  if (op == "Sinh") return elementwise<T>(context, [](T x) { return std::sinh(x); });
  if (op == "Cosh") return elementwise<T>(context, [](T x) { return std::cosh(x); });
  if (op == "Asinh") return elementwise<T>(context, [](T x) { return std::asinh(x); });
  if (op == "Acosh") return elementwise<T>(context, [](T x) { return std::acosh(x); });
  if (op == "Atanh") return elementwise<T>(context, [](T x) { return std::atanh(x); });
  if (op == "Erf") return elementwise<T>(context, [](T x) { return std::erf(x); });
  if (op == "IsNan") return elementwise<T>(context, [](T x) { return static_cast<bool>(std::isnan(x)); });
  if (op == "IsInf") return elementwise<T>(context, [](T x) { return static_cast<bool>(std::isinf(x)); });
  if (op == "IsFinite") return elementwise<T>(context, [](T x) { return static_cast<bool>(std::isfinite(x)); });
  return context.unsupported("{} on {} is not supported", op, dtype_name(context.input(0).dtype));
}

template <typename T>
Expected<KernelPtr> make_integer(const KernelContext& context) {
  const std::string& op = context.node().op;
  if (op == "Abs") return elementwise<T>(context, [](T x) { return static_cast<T>(x < 0 ? -x : x); });
  if (op == "Neg") return elementwise<T>(context, [](T x) { return static_cast<T>(-x); });
  if (op == "Square") return elementwise<T>(context, [](T x) { return static_cast<T>(x * x); });
  if (op == "Sign") return elementwise<T>(context, [](T x) { return static_cast<T>((x > 0) - (x < 0)); });
  if (op == "Relu") return elementwise<T>(context, [](T x) { return static_cast<T>(x > 0 ? x : 0); });
  return context.unsupported("{} on {} is not supported", op, dtype_name(context.input(0).dtype));
}

}  // namespace

Expected<KernelPtr> make_unary(const KernelContext& context) {
  const DType dtype = context.input(0).dtype;
  if (context.node().op == "LogicalNot") {
    if (dtype != DType::kBool) return context.error("expected a bool input, found {}", dtype_name(dtype));
    return elementwise<bool>(context, [](bool x) { return !x; });
  }
  switch (dtype) {
    case DType::kF32: return make_float<float>(context);
    case DType::kF64: return make_float<double>(context);
    case DType::kI32: return make_integer<int32_t>(context);
    case DType::kI64: return make_integer<int64_t>(context);
    default: return context.unsupported("{} on {} is not supported", context.node().op, dtype_name(dtype));
  }
}

}  // namespace leanrt::kernels::ref
