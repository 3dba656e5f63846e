// Reference kernel of scatter_nd (ScatterNd).
#include <algorithm>

#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {
namespace {

int64_t integer_at(const TensorView& view, int64_t i) {
  return view.dtype == DType::kI64 ? view.as<const int64_t>()[i] : view.as<const int32_t>()[i];
}

}  // namespace

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

}  // namespace leanrt::kernels::ref
