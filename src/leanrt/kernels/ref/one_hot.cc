// Reference kernel of one_hot (OneHot).
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

}  // namespace leanrt::kernels::ref
