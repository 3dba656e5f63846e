// Reference kernel of space_batch (SpaceToBatchND, BatchToSpaceND).
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

// SpaceToBatchND: output batch index = (block offsets) * N + n; each
// output element reads the zero-padded input at
// spatial = out_spatial * block + offset - pad_before. BatchToSpaceND is
// the inverse with crops. Both are one walk over the output.
Expected<KernelPtr> make_space_batch(const KernelContext& context) {
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> block, context.const_ints(1));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> pads, context.const_ints(2));
  const Shape input = context.input(0).shape;
  const Shape output = context.output(0).shape;
  const bool to_batch = context.node().op == "SpaceToBatchND";
  const size_t element_bytes = dtype_size(context.output(0).dtype);
  const size_t spatial = block.size();
  int64_t inner = 1;  // elements after the spatial axes, copied as one run
  for (size_t a = spatial + 1; a < input.size(); ++a) inner *= input[a];
  return make_kernel(kernel_name(context.node().op, context.output(0).dtype), [=](const KernelIO& io) {
    const std::byte* in = io.input(0).data;
    std::byte* out = io.output(0).data;
    const Shape& space = to_batch ? input : output;  // the spatial tensor
    const Shape& batch = to_batch ? output : input;  // the batched tensor
    const int64_t space_batch = space[0];
    const size_t run_bytes = static_cast<size_t>(inner) * element_bytes;
    int64_t batch_positions = 1;
    for (size_t a = 0; a < spatial; ++a) batch_positions *= batch[a + 1];
    for (int64_t b = 0; b < batch[0]; ++b) {
      int64_t offset_code = b / space_batch;  // which block offset this batch entry holds
      const int64_t n = b % space_batch;
      int64_t block_offset[8] = {};
      for (int64_t a = static_cast<int64_t>(spatial) - 1; a >= 0; --a) {
        block_offset[a] = offset_code % block[a];
        offset_code /= block[a];
      }
      for (int64_t position = 0; position < batch_positions; ++position) {
        int64_t remaining = position, space_index = n, batch_index = b;
        bool inside = true;
        int64_t coordinate[8] = {};
        for (int64_t a = static_cast<int64_t>(spatial) - 1; a >= 0; --a) {
          coordinate[a] = remaining % batch[a + 1];
          remaining /= batch[a + 1];
        }
        for (size_t a = 0; a < spatial; ++a) {
          const int64_t s = coordinate[a] * block[a] + block_offset[a] - pads[2 * a];
          if (s < 0 || s >= space[a + 1]) inside = false;
          space_index = space_index * space[a + 1] + (inside ? s : 0);
          batch_index = batch_index * batch[a + 1] + coordinate[a];
        }
        std::byte* batch_run = (to_batch ? out : const_cast<std::byte*>(in)) + batch_index * static_cast<int64_t>(run_bytes);
        std::byte* space_run = (to_batch ? const_cast<std::byte*>(in) : out) + space_index * static_cast<int64_t>(run_bytes);
        if (to_batch) {
          if (inside) std::memcpy(batch_run, space_run, run_bytes);
          else std::memset(batch_run, 0, run_bytes);
        } else if (inside) {
          std::memcpy(space_run, batch_run, run_bytes);
        }
      }
    }
    return Status::ok();
  });
}

}  // namespace leanrt::kernels::ref
