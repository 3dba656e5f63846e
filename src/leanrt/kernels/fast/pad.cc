// Fast float32 Pad and PadV2 (TF's constant mode). The reference fills the
// whole output with the constant, then copies the input over its interior:
// every interior byte is written twice. Here each output row is written
// once: border runs filled, the interior run copied from its input row.
// Axes without padding are merged into the axis before them at compile time
// (NCHW padded on H and W becomes [N*C, H, W]), so a row is as long as it can
// be. MirrorPad stays on the reference.
#include <algorithm>
#include <cstring>

#include "leanrt/kernels/fast/copy_floats.h"
#include "leanrt/kernels/fast/fast.h"
#include "leanrt/kernels/fast/parallel_rows.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::fast {
namespace {

// The padded tensor after merging: input dims and padding before / after,
// per axis. Every axis but the first has some padding.
struct MergedPad {
  int rank = 0;
  int64_t input[kMaxRank] = {};
  int64_t before[kMaxRank] = {};
  int64_t after[kMaxRank] = {};
};

MergedPad merge_axes(const Shape& input, const std::vector<int64_t>& paddings) {
  MergedPad merged;
  for (size_t axis = 0; axis < input.size(); ++axis) {
    const int64_t dim = input[axis], before = paddings[2 * axis], after = paddings[2 * axis + 1];
    const int last = merged.rank - 1;
    if (last >= 0 && before == 0 && after == 0) {  // an unpadded axis extends the one before it
      merged.input[last] *= dim;
      merged.before[last] *= dim;
      merged.after[last] *= dim;
      continue;
    }
    merged.input[merged.rank] = dim;
    merged.before[merged.rank] = before;
    merged.after[merged.rank] = after;
    ++merged.rank;
  }
  if (merged.rank == 0) {  // a scalar
    merged.rank = 1;
    merged.input[0] = 1;
  }
  return merged;
}

}  // namespace

Expected<KernelPtr> make_pad(const KernelContext& context, const KernelOptions& options) {
  const std::string& op = context.node().op;
  if (op != "Pad" && op != "PadV2") return KernelPtr();
  if (context.input(0).dtype != DType::kF32 || context.output(0).dtype != DType::kF32) return KernelPtr();
  if (op == "PadV2" && context.input(2).dtype != DType::kF32) return KernelPtr();
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> paddings, context.const_ints(1));
  const Shape& input = context.input(0).shape;
  if (paddings.size() != 2 * input.size() || input.size() > static_cast<size_t>(kMaxRank)) return KernelPtr();
  for (int64_t padding : paddings)
    if (padding < 0) return KernelPtr();
  const MergedPad merged = merge_axes(input, paddings);
  const int rank = merged.rank;
  const int inner = rank - 1;
  // Output rows: every output index of the axes before the innermost one.
  int64_t output_dims[kMaxRank], input_strides[kMaxRank];
  int64_t rows = 1, stride = merged.input[inner];
  for (int axis = inner - 1; axis >= 0; --axis) {
    output_dims[axis] = merged.before[axis] + merged.input[axis] + merged.after[axis];
    input_strides[axis] = stride;
    stride *= merged.input[axis];
    rows *= output_dims[axis];
  }
  const int64_t before = merged.before[inner], run = merged.input[inner], after = merged.after[inner];
  const int64_t row_length = before + run + after;
  const int64_t output_bytes = rows * row_length * static_cast<int64_t>(sizeof(float));
  if (rows * row_length == 0) return KernelPtr();
  const bool has_value = op == "PadV2";
  return ref::make_kernel(
      has_value ? "pad_v2_f32_fast" : "pad_f32_fast",
      [=](const KernelIO& io) {
        const float* in = io.input(0).as<const float>();
        float* out = io.output(0).as<float>();
        // TF's PadV2 takes the constant as a tensor; copied as bits, so a NaN
        // payload survives as it does in the reference's memcpy.
        float value = 0.0f;
        if (has_value) std::memcpy(&value, io.input(2).data, sizeof(float));
        parallel_rows(rows, output_bytes, [&](int64_t begin, int64_t end) {
          int64_t index[kMaxRank] = {};
          int64_t rest = begin;
          for (int axis = inner - 1; axis >= 0; --axis) {
            index[axis] = rest % output_dims[axis];
            rest /= output_dims[axis];
          }
          for (int64_t row = begin; row < end; ++row) {
            float* target = out + row * row_length;
            // The input row this output row shows, if it is inside on every outer axis.
            bool inside = true;
            int64_t source = 0;
            for (int axis = 0; axis < inner && inside; ++axis) {
              const int64_t i = index[axis] - merged.before[axis];
              inside = i >= 0 && i < merged.input[axis];
              source += i * input_strides[axis];
            }
            if (inside) {
              std::fill_n(target, before, value);
              copy_floats(target + before, in + source, run);
              std::fill_n(target + before + run, after, value);
            } else {
              std::fill_n(target, row_length, value);
            }
            for (int axis = inner - 1; axis >= 0; --axis) {  // odometer
              if (++index[axis] < output_dims[axis]) break;
              index[axis] = 0;
            }
          }
        });
        return Status::ok();
      });
}

}  // namespace leanrt::kernels::fast
