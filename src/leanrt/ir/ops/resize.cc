// Shape function of resize: ResizeBilinear, ResizeNearestNeighbor (NHWC,
// size = [new_height, new_width]).
#include "leanrt/ir/op_table.h"

namespace leanrt::ir::ops {

Expected<std::vector<ValueType>> infer_resize(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_RETURN_IF_ERROR(context.expect_rank(0, 4));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> size, context.const_ints(1));
  if (size.size() != 2 || size[0] <= 0 || size[1] <= 0)
    return context.error("size [{}]: expected two positive values", fmt::join(size, ", "));
  if (context.attrs().get_or<bool>("align_corners", false) && context.attrs().get_or<bool>("half_pixel_centers", false))
    return context.error("align_corners and half_pixel_centers cannot both be true");
  const Shape& input = context.shape(0);
  // TF's ResizeBilinear always returns float32; nearest keeps the type.
  DType dtype = context.node().op == "ResizeBilinear" ? DType::kF32 : context.dtype(0);
  return std::vector<ValueType>{{dtype, {input[0], size[0], size[1], input[3]}}};
}

}  // namespace leanrt::ir::ops
