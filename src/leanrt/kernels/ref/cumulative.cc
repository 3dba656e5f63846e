// Reference kernel of cumulative (Cumsum, Cumprod).
#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

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

}  // namespace leanrt::kernels::ref
