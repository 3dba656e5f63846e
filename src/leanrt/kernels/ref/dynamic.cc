// Reference kernels of where (Where), nms (NonMaxSuppressionV3/V4/V5) and
// control (Switch, Merge). The shape function already fixed the output
// size from the same data, so the kernels only fill it.
#include "leanrt/ir/ops/nms_selection.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

Expected<KernelPtr> make_where(const KernelContext& context) {
  const Dims input = Dims::from(context.input(0).shape);
  const size_t element_bytes = dtype_size(context.input(0).dtype);
  const bool is_float = context.input(0).dtype == DType::kF32;
  return make_kernel(kernel_name("Where", context.input(0).dtype), [=](const KernelIO& io) {
    const std::byte* x = io.input(0).data;
    int64_t* out = io.output(0).as<int64_t>();
    const int64_t count = input.elements();
    int64_t row = 0;
    int64_t index[kMaxRank] = {};
    for (int64_t i = 0; i < count; ++i) {
      const std::byte* element = x + i * static_cast<int64_t>(element_bytes);
      bool nonzero = false;
      if (is_float) nonzero = *reinterpret_cast<const float*>(element) != 0.0f;
      else for (size_t b = 0; b < element_bytes; ++b) nonzero = nonzero || element[b] != std::byte{0};
      if (nonzero && row < io.output(0).shape[0]) {
        for (int a = 0; a < input.rank; ++a) out[row * input.rank + a] = index[a];
        ++row;
      }
      for (int a = input.rank - 1; a >= 0; --a) {
        if (++index[a] < input[a]) break;
        index[a] = 0;
      }
    }
    return Status::ok();
  });
}

Expected<KernelPtr> make_nms(const KernelContext& context) {
  const std::string op = context.node().op;
  const int64_t boxes = context.input(0).shape[0];
  return make_kernel("non_max_suppression_f32_ref", [=](const KernelIO& io) {
    const int64_t max_outputs = io.input(2).dtype == DType::kI64 ? io.input(2).as<const int64_t>()[0]
                                                                 : io.input(2).as<const int32_t>()[0];
    const float sigma = op == "NonMaxSuppressionV5" ? io.input(5).as<const float>()[0] : 0.0f;
    // The selection's vectors allocate: NMS runs as a dynamic step (or
    // padded), outside the zero-allocation steady state of static plans.
    ir::NmsSelection selection =
        ir::select_boxes_nms(io.input(0).as<const float>(), io.input(1).as<const float>(), boxes, max_outputs,
                             io.input(3).as<const float>()[0], io.input(4).as<const float>()[0], sigma);
    const int64_t slots = io.output(0).shape[0];
    const int64_t valid = std::min<int64_t>(slots, static_cast<int64_t>(selection.indices.size()));
    int32_t* indices = io.output(0).as<int32_t>();
    for (int64_t i = 0; i < slots; ++i) indices[i] = i < valid ? selection.indices[i] : 0;
    int next_output = 1;
    if (op == "NonMaxSuppressionV5") {
      float* scores = io.output(next_output++).as<float>();
      for (int64_t i = 0; i < slots; ++i) scores[i] = i < valid ? selection.scores[i] : 0.0f;
    }
    if (op != "NonMaxSuppressionV3") io.output(next_output).as<int32_t>()[0] = static_cast<int32_t>(valid);
    return Status::ok();
  });
}

// Switch and Merge decide which values are live, which no kernel can
// express: a folded predicate is resolved by infer_and_fold, a run-time one
// by the dynamic executor (runtime/dynamic_step.cc). Reaching here means a
// caller bypassed both.
Expected<KernelPtr> make_control(const KernelContext& context) {
  return internal_error("{}: Switch and Merge are routed by the runtime, not run as kernels", context.where());
}

}  // namespace leanrt::kernels::ref
