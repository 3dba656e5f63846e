// Shape function of space_batch (SpaceToBatchND, BatchToSpaceND).
#include "leanrt/ir/op_table.h"

namespace leanrt::ir::ops {

// SpaceToBatchND(x, block_shape [M], paddings [M, 2]) and
// BatchToSpaceND(x, block_shape [M], crops [M, 2]) over the M axes after
// the batch axis.
Expected<std::vector<ValueType>> infer_space_batch(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(3));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> block, context.const_ints(1));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> pads, context.const_ints(2));
  const Shape& input = context.shape(0);
  const size_t spatial = block.size();
  if (spatial == 0 || input.size() < spatial + 1 || pads.size() != 2 * spatial)
    return context.error("block_shape [{}] and paddings/crops [{}] do not fit input {}", fmt::join(block, ", "),
                         fmt::join(pads, ", "), shape_string(input));
  int64_t block_size = 1;
  for (int64_t b : block) {
    if (b < 1) return context.error("block_shape [{}] has a value < 1", fmt::join(block, ", "));
    block_size *= b;
  }
  Shape output = input;
  if (context.node().op == "SpaceToBatchND") {
    for (size_t i = 0; i < spatial; ++i) {
      const int64_t padded = input[i + 1] + pads[2 * i] + pads[2 * i + 1];
      if (pads[2 * i] < 0 || pads[2 * i + 1] < 0 || padded % block[i] != 0)
        return context.error("axis {} padded to {} is not divisible by block {}", i + 1, padded, block[i]);
      output[i + 1] = padded / block[i];
    }
    output[0] = input[0] * block_size;
  } else {
    if (input[0] % block_size != 0)
      return context.error("batch {} is not divisible by the block size {}", input[0], block_size);
    for (size_t i = 0; i < spatial; ++i) {
      output[i + 1] = input[i + 1] * block[i] - pads[2 * i] - pads[2 * i + 1];
      if (pads[2 * i] < 0 || pads[2 * i + 1] < 0 || output[i + 1] < 0)
        return context.error("crops [{}] are negative or exceed axis {}", fmt::join(pads, ", "), i + 1);
    }
    output[0] = input[0] / block_size;
  }
  return std::vector<ValueType>{{context.dtype(0), output}};
}

}  // namespace leanrt::ir::ops
