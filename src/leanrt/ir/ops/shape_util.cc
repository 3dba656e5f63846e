#include "leanrt/ir/ops/shape_util.h"

#include <algorithm>

namespace leanrt::ir {

std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t dim_a = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t dim_b = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (dim_a == dim_b || dim_b == 1) result[i] = dim_a;
    else if (dim_a == 1) result[i] = dim_b;
    else return std::nullopt;
  }
  return result;
}

std::optional<int> normalize_axis(int64_t axis, int rank) {
  if (axis < -rank || axis >= rank) return std::nullopt;
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

Status resolve_window(Padding padding, WindowAxis& axis, int64_t explicit_before, int64_t explicit_after) {
  if (axis.stride <= 0 || axis.dilation <= 0 || axis.window <= 0)
    return invalid_model("window {} stride {} dilation {}: expected all >= 1", axis.window, axis.stride,
                         axis.dilation);
  const int64_t effective_window = (axis.window - 1) * axis.dilation + 1;
  switch (padding) {
    case Padding::kValid:
      axis.pad_before = axis.pad_after = 0;
      axis.output = (axis.input - effective_window + axis.stride) / axis.stride;
      break;
    case Padding::kSame: {
      axis.output = (axis.input + axis.stride - 1) / axis.stride;
      const int64_t pad_total = std::max<int64_t>(0, (axis.output - 1) * axis.stride + effective_window - axis.input);
      axis.pad_before = pad_total / 2;
      axis.pad_after = pad_total - axis.pad_before;
      break;
    }
    case Padding::kExplicit:
      axis.pad_before = explicit_before;
      axis.pad_after = explicit_after;
      axis.output = (axis.input + explicit_before + explicit_after - effective_window + axis.stride) / axis.stride;
      break;
  }
  if (axis.output < 0)
    return invalid_model("input size {} is smaller than the window {} (dilated)", axis.input, effective_window);
  return Status::ok();
}

Expected<Padding> parse_padding(const AttrMap& attrs) {
  std::string padding = attrs.get_or<std::string>("padding", "VALID");
  if (padding == "SAME") return Padding::kSame;
  if (padding == "VALID") return Padding::kValid;
  if (padding == "EXPLICIT") return Padding::kExplicit;
  return invalid_model("padding \"{}\": expected SAME, VALID or EXPLICIT", padding);
}

Expected<Window2D> window_2d(const AttrMap& attrs, const Shape& input_nhwc, int64_t window_height,
                             int64_t window_width) {
  LEANRT_ASSIGN_OR_RETURN(Padding padding, parse_padding(attrs));
  auto strides = attrs.get_or<std::vector<int64_t>>("strides", {1, 1, 1, 1});
  auto dilations = attrs.get_or<std::vector<int64_t>>("dilations", {1, 1, 1, 1});
  if (strides.size() != 4) return invalid_model("strides: expected 4 values, found {}", strides.size());
  if (dilations.size() != 4) return invalid_model("dilations: expected 4 values, found {}", dilations.size());
  if (strides[0] != 1 || strides[3] != 1)
    return unsupported("strides [{}]: striding over batch or channels is not supported",
                       fmt::join(strides, ", "));
  Window2D window;
  window.height = WindowAxis{input_nhwc[1], window_height, strides[1], dilations[1]};
  window.width = WindowAxis{input_nhwc[2], window_width, strides[2], dilations[2]};
  int64_t pads[4] = {0, 0, 0, 0};
  if (padding == Padding::kExplicit) {
    auto explicit_paddings = attrs.get_or<std::vector<int64_t>>("explicit_paddings", {});
    if (explicit_paddings.size() != 8)
      return invalid_model("explicit_paddings: expected 8 values for NHWC, found {}", explicit_paddings.size());
    std::copy(explicit_paddings.begin() + 2, explicit_paddings.begin() + 6, pads);
  }
  LEANRT_RETURN_IF_ERROR(resolve_window(padding, window.height, pads[0], pads[1]).with_context("height"));
  LEANRT_RETURN_IF_ERROR(resolve_window(padding, window.width, pads[2], pads[3]).with_context("width"));
  return window;
}

Expected<StridedSliceSpec> resolve_strided_slice(const Shape& input, const std::vector<int64_t>& begin,
                                                 const std::vector<int64_t>& end,
                                                 const std::vector<int64_t>& strides, int64_t begin_mask,
                                                 int64_t end_mask, int64_t ellipsis_mask,
                                                 int64_t new_axis_mask, int64_t shrink_axis_mask) {
  if (begin.size() != end.size() || begin.size() != strides.size())
    return invalid_model("begin, end and strides: expected equal lengths, found {}, {}, {}", begin.size(),
                         end.size(), strides.size());
  // Follows TF's ValidateStridedSliceOp: expand the sparse spec (with its
  // ellipsis and new axes) into one entry per input axis.
  const int dense_rank = static_cast<int>(input.size());
  int sparse_rank = static_cast<int>(begin.size());
  bool ellipsis_seen = false;
  int new_axes_after_ellipsis = 0;
  for (int i = 0; i < sparse_rank; ++i) {
    if (ellipsis_seen && (new_axis_mask >> i & 1)) ++new_axes_after_ellipsis;
    if (ellipsis_mask >> i & 1) ellipsis_seen = true;
  }
  if (!ellipsis_seen) {
    ellipsis_mask |= int64_t{1} << sparse_rank;
    ++sparse_rank;  // an implicit trailing ellipsis covers the remaining axes
  }
  constexpr int kNewAxis = -1;
  constexpr int kShrunk = -2;
  StridedSliceSpec spec;
  spec.begin.assign(dense_rank, 0);
  spec.stride.assign(dense_rank, 1);
  spec.length.assign(input.begin(), input.end());
  std::vector<int> output_axes;  // input axis per output axis, or kNewAxis
  int dense_index = 0;
  for (int i = 0; i < sparse_rank; ++i) {
    if (ellipsis_mask >> i & 1) {
      int next = std::min(dense_rank - (sparse_rank - i) + 1 + new_axes_after_ellipsis, dense_rank);
      for (; dense_index < next; ++dense_index) output_axes.push_back(dense_index);  // full range
      continue;
    }
    if (new_axis_mask >> i & 1) {
      output_axes.push_back(kNewAxis);
      continue;
    }
    if (dense_index >= dense_rank)
      return invalid_model("slice spec has more axes than the input's rank {}", dense_rank);
    const int axis = dense_index++;
    const int64_t dim = input[axis];
    const int64_t stride = strides[i];
    if (stride == 0) return invalid_model("strides[{}] is 0", i);
    if (shrink_axis_mask >> i & 1) {
      int64_t index = begin[i] < 0 ? begin[i] + dim : begin[i];
      if (index < 0 || index >= dim)
        return invalid_model("slice index {} of axis {} is out of bounds for size {}", begin[i], axis, dim);
      spec.begin[axis] = index;
      spec.stride[axis] = 1;
      spec.length[axis] = 1;
      output_axes.push_back(kShrunk);
      continue;
    }
    // Canonicalise begin and end: negative counts from the end, then clamp
    // to the valid range for the stride's direction.
    auto canonical = [&](int64_t x, bool masked, bool is_begin) -> int64_t {
      if (masked) return stride > 0 ? (is_begin ? 0 : dim) : (is_begin ? dim - 1 : -1);
      int64_t value = x < 0 ? x + dim : x;
      return stride > 0 ? std::clamp<int64_t>(value, 0, dim) : std::clamp<int64_t>(value, -1, dim - 1);
    };
    const int64_t first = canonical(begin[i], begin_mask >> i & 1, true);
    const int64_t last = canonical(end[i], end_mask >> i & 1, false);
    int64_t length = 0;
    if (stride > 0 && last > first) length = (last - first + stride - 1) / stride;
    if (stride < 0 && first > last) length = (first - last + (-stride) - 1) / (-stride);
    spec.begin[axis] = first;
    spec.stride[axis] = stride;
    spec.length[axis] = length;
    output_axes.push_back(axis);
  }
  for (; dense_index < dense_rank; ++dense_index) output_axes.push_back(dense_index);
  for (int axis : output_axes) {
    if (axis == kNewAxis) spec.output_shape.push_back(1);
    else if (axis >= 0) spec.output_shape.push_back(spec.length[axis]);
  }
  return spec;
}

}  // namespace leanrt::ir
