// Reference kernels of fill (Fill), fill_like (ZerosLike, OnesLike), shape
// (Shape, Size, Rank) and range (Range).
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

Expected<KernelPtr> make_fill(const KernelContext& context) {
  const int64_t total = num_elements(context.output(0).shape);
  const size_t element_bytes = dtype_size(context.output(0).dtype);
  return make_kernel(kernel_name("Fill", context.output(0).dtype), [=](const KernelIO& io) {
    for (int64_t i = 0; i < total; ++i)
      std::memcpy(io.output(0).data + i * element_bytes, io.input(1).data, element_bytes);
    return Status::ok();
  });
}

Expected<KernelPtr> make_fill_like(const KernelContext& context) {
  const int64_t total = num_elements(context.output(0).shape);
  const bool ones = context.node().op == "OnesLike";
  return visit_numeric(context.output(0).dtype, [&]<typename T>() -> Expected<KernelPtr> {
    return make_kernel(kernel_name(context.node().op, context.output(0).dtype), [=](const KernelIO& io) {
      T* out = io.output(0).as<T>();
      for (int64_t i = 0; i < total; ++i) out[i] = ones ? T(1) : T(0);
      return Status::ok();
    });
  });
}

// Shape, Size and Rank read only the input's (compile-time) shape.
Expected<KernelPtr> make_shape(const KernelContext& context) {
  const Shape input = context.input(0).shape;
  const std::string op = context.node().op;
  std::vector<int64_t> values;
  if (op == "Shape") values = input;
  else if (op == "Size") values = {num_elements(input)};
  else values = {static_cast<int64_t>(input.size())};
  const bool wide = context.output(0).dtype == DType::kI64;
  return make_kernel(kernel_name(op, context.output(0).dtype), [values, wide](const KernelIO& io) {
    for (size_t i = 0; i < values.size(); ++i) {
      if (wide) io.output(0).as<int64_t>()[i] = values[i];
      else io.output(0).as<int32_t>()[i] = static_cast<int32_t>(values[i]);
    }
    return Status::ok();
  });
}

Expected<KernelPtr> make_range(const KernelContext& context) {
  const int64_t count = num_elements(context.output(0).shape);
  return visit_numeric(context.output(0).dtype, [&]<typename T>() -> Expected<KernelPtr> {
    return make_kernel(kernel_name("Range", context.output(0).dtype), [count](const KernelIO& io) {
      // TF's RangeOp (and TF.js) accumulate: value += delta, in the output type.
      T value = io.input(0).as<const T>()[0];
      const T delta = io.input(2).as<const T>()[0];
      T* out = io.output(0).as<T>();
      for (int64_t i = 0; i < count; ++i, value = static_cast<T>(value + delta)) out[i] = value;
      return Status::ok();
    });
  });
}

}  // namespace leanrt::kernels::ref
