// Fast float32 ConcatV2. Seen from the concat axis, the output is `outer`
// rows, each the inputs' slabs side by side. With many rows, each thread
// takes a range of rows and copies every slab of each; with few (a concat on
// axis 0, or behind size-1 batch dims, has a single row) each thread takes a
// range of output elements and copies the pieces of slabs that fall in it.
// Either way an input the planner already had computed in its place in the
// output is skipped.
#include <algorithm>
#include <cstring>

#include "leanrt/kernels/fast/copy_floats.h"
#include "leanrt/kernels/fast/fast.h"
#include "leanrt/kernels/fast/parallel_rows.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::fast {
namespace {

// Input `input`'s part of each output row: `length` elements at `offset`.
struct Slab {
  int input = 0;
  int64_t offset = 0;
  int64_t length = 0;
};

}  // namespace

Expected<KernelPtr> make_concat(const KernelContext& context, const KernelOptions& options) {
  const int values = context.num_inputs() - 1;
  if (values < 1 || context.output(0).dtype != DType::kF32) return KernelPtr();
  const Shape& output = context.output(0).shape;
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(values));
  if (axes.size() != 1) return KernelPtr();
  const int rank = static_cast<int>(output.size());
  const int64_t axis = axes[0] < 0 ? axes[0] + rank : axes[0];
  if (axis < 0 || axis >= rank) return KernelPtr();
  int64_t outer = 1, inner = 1;
  for (int a = 0; a < axis; ++a) outer *= output[a];
  for (int a = static_cast<int>(axis) + 1; a < rank; ++a) inner *= output[a];
  std::vector<Slab> slabs;
  int64_t row_length = 0;
  for (int i = 0; i < values; ++i) {
    if (context.input(i).dtype != DType::kF32) return KernelPtr();
    const int64_t length = context.input(i).shape[axis] * inner;
    if (length > 0) slabs.push_back({i, row_length, length});  // empty inputs add nothing
    row_length += length;
  }
  const int64_t total = outer * row_length;
  if (total == 0) return KernelPtr();
  const int64_t total_bytes = total * static_cast<int64_t>(sizeof(float));
  return ref::make_kernel(
      "concat_v2_f32_fast", [slabs = std::move(slabs), outer, row_length, total, total_bytes](const KernelIO& io) {
        float* out = io.output(0).as<float>();
        if (outer >= 4 * omp_get_max_threads()) {  // enough rows to share out evenly
          parallel_rows(outer, total_bytes, [&](int64_t begin, int64_t end) {
            for (int64_t row = begin; row < end; ++row)
              for (const Slab& slab : slabs) {
                const float* in = io.input(slab.input).as<const float>() + row * slab.length;
                float* target = out + row * row_length + slab.offset;
                if (in != target) copy_floats(target, in, slab.length);
              }
          });
          return Status::ok();
        }
        parallel_rows(total, total_bytes, [&](int64_t begin, int64_t end) {
          // Find the slab holding element `begin`, then copy slab pieces up to `end`.
          int64_t row = begin / row_length;
          size_t slab = 0;
          while (slabs[slab].offset + slabs[slab].length <= begin - row * row_length) ++slab;
          for (int64_t at = begin; at < end;) {
            const Slab& piece = slabs[slab];
            const int64_t within = at - row * row_length - piece.offset;
            const int64_t count = std::min(piece.length - within, end - at);
            const float* in = io.input(piece.input).as<const float>() + row * piece.length + within;
            if (in != out + at) copy_floats(out + at, in, count);
            at += count;
            if (++slab == slabs.size()) {
              slab = 0;
              ++row;
            }
          }
        });
        return Status::ok();
      });
}

}  // namespace leanrt::kernels::fast
