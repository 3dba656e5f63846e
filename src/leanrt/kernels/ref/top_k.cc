// Reference kernel of top_k (TopKV2).
#include <algorithm>
#include <numeric>

#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

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
