// Reference kernels of the binary family (TF broadcasting), with TF's
// integer division and modulo rules (tensorflow/core/kernels/cwise_ops.h).
#include <cmath>
#include <type_traits>

#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {
namespace {

template <typename T, typename Fn>
Expected<KernelPtr> broadcast_kernel(const KernelContext& context, Fn fn) {
  using Out = std::invoke_result_t<Fn, T, T>;
  BroadcastWalk walk(Dims::from(context.output(0).shape),
                     {Dims::from(context.input(0).shape), Dims::from(context.input(1).shape)});
  return make_kernel(kernel_name(context.node().op, context.input(0).dtype), [walk, fn](const KernelIO& io) {
    const T* a = io.input(0).as<const T>();
    const T* b = io.input(1).as<const T>();
    Out* out = io.output(0).as<Out>();
    walk.for_each_run([&](int64_t out_offset, const int64_t* offsets, int64_t count, const int64_t* steps) {
      const T* a_run = a + offsets[0];
      const T* b_run = b + offsets[1];
      Out* out_run = out + out_offset;
      const int64_t a_step = steps[0], b_step = steps[1];
      if (a_step == 1 && b_step == 1) {
        for (int64_t i = 0; i < count; ++i) out_run[i] = fn(a_run[i], b_run[i]);
      } else if (a_step == 1 && b_step == 0) {
        const T b_value = *b_run;
        for (int64_t i = 0; i < count; ++i) out_run[i] = fn(a_run[i], b_value);
      } else {
        for (int64_t i = 0; i < count; ++i) out_run[i] = fn(a_run[i * a_step], b_run[i * b_step]);
      }
    });
    return Status::ok();
  });
}

// Python-style floor division and modulo for integers, as TF's FloorDiv and
// FloorMod; a zero divisor yields 0 here rather than TF's error, since
// errors are not raised from inside a batch.
template <typename T>
T floor_div(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    if (y == 0) return 0;
    T quotient = x / y;
    if ((x % y != 0) && ((x < 0) != (y < 0))) --quotient;
    return quotient;
  } else {
    return std::floor(x / y);
  }
}

template <typename T>
T floor_mod(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    if (y == 0) return 0;
    T remainder = x % y;
    if (remainder != 0 && ((remainder < 0) != (y < 0))) remainder += y;
    return remainder;
  } else {
    T remainder = std::fmod(x, y);
    if (remainder != 0 && ((remainder < 0) != (y < 0))) remainder += y;
    return remainder;
  }
}

template <typename T>
T truncate_div(T x, T y) {
  if constexpr (std::is_integral_v<T>) return y == 0 ? 0 : static_cast<T>(x / y);
  else return std::trunc(x / y);
}

template <typename T>
T power(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    if (y < 0) return x == 1 ? 1 : (x == -1 ? ((y & 1) ? -1 : 1) : 0);
    T result = 1;
    for (T base = x, exponent = y; exponent > 0; exponent >>= 1, base *= base)
      if (exponent & 1) result *= base;
    return result;
  } else {
    return std::pow(x, y);
  }
}

template <typename T>
Expected<KernelPtr> make_arithmetic(const KernelContext& context) {
  const std::string& op = context.node().op;
  if (op == "Add" || op == "AddV2") return broadcast_kernel<T>(context, [](T x, T y) -> T { return x + y; });
  if (op == "Sub") return broadcast_kernel<T>(context, [](T x, T y) -> T { return x - y; });
  if (op == "Mul") return broadcast_kernel<T>(context, [](T x, T y) -> T { return x * y; });
  if (op == "Maximum") return broadcast_kernel<T>(context, [](T x, T y) -> T { return x > y ? x : y; });
  if (op == "Minimum") return broadcast_kernel<T>(context, [](T x, T y) -> T { return x < y ? x : y; });
  if (op == "SquaredDifference")
    return broadcast_kernel<T>(context, [](T x, T y) -> T { return (x - y) * (x - y); });
  if (op == "FloorDiv") return broadcast_kernel<T>(context, floor_div<T>);
  if (op == "FloorMod") return broadcast_kernel<T>(context, floor_mod<T>);
  if (op == "TruncateDiv") return broadcast_kernel<T>(context, truncate_div<T>);
  if (op == "Pow") return broadcast_kernel<T>(context, power<T>);
  // TF's Div truncates for integers (C++ semantics); RealDiv is for floats.
  if (op == "Div" || op == "RealDiv") {
    if constexpr (std::is_integral_v<T>) return broadcast_kernel<T>(context, truncate_div<T>);
    else return broadcast_kernel<T>(context, [](T x, T y) -> T { return x / y; });
  }
  if (op == "DivNoNan") return broadcast_kernel<T>(context, [](T x, T y) -> T { return y == T(0) ? T(0) : x / y; });
  if constexpr (std::is_floating_point_v<T>) {
    if (op == "Atan2") return broadcast_kernel<T>(context, [](T y, T x) -> T { return std::atan2(y, x); });
  }
  if (op == "Equal") return broadcast_kernel<T>(context, [](T x, T y) { return x == y; });
  if (op == "NotEqual") return broadcast_kernel<T>(context, [](T x, T y) { return x != y; });
  if (op == "Greater") return broadcast_kernel<T>(context, [](T x, T y) { return x > y; });
  if (op == "GreaterEqual") return broadcast_kernel<T>(context, [](T x, T y) { return x >= y; });
  if (op == "Less") return broadcast_kernel<T>(context, [](T x, T y) { return x < y; });
  if (op == "LessEqual") return broadcast_kernel<T>(context, [](T x, T y) { return x <= y; });
  return context.unsupported("{} on {} is not supported", op, dtype_name(context.input(0).dtype));
}

Expected<KernelPtr> make_logical(const KernelContext& context) {
  const std::string& op = context.node().op;
  if (op == "LogicalAnd") return broadcast_kernel<bool>(context, [](bool x, bool y) { return x && y; });
  if (op == "LogicalOr") return broadcast_kernel<bool>(context, [](bool x, bool y) { return x || y; });
  if (op == "Equal") return broadcast_kernel<bool>(context, [](bool x, bool y) { return x == y; });
  if (op == "NotEqual") return broadcast_kernel<bool>(context, [](bool x, bool y) { return x != y; });
  return context.unsupported("{} on bool is not supported", op);
}

}  // namespace

Expected<KernelPtr> make_binary(const KernelContext& context) {
  const DType dtype = context.input(0).dtype;
  switch (dtype) {
    case DType::kF32: return make_arithmetic<float>(context);
    case DType::kF64: return make_arithmetic<double>(context);
    case DType::kI32: return make_arithmetic<int32_t>(context);
    case DType::kI64: return make_arithmetic<int64_t>(context);
    case DType::kU8: return make_arithmetic<uint8_t>(context);
    case DType::kBool: return make_logical(context);
    default: return context.unsupported("{} on {} is not supported", context.node().op, dtype_name(dtype));
  }
}

}  // namespace leanrt::kernels::ref
