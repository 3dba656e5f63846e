// Shape arithmetic shared by shape functions and kernels: TF broadcasting,
// axis normalisation, convolution and pooling geometry, strided slices.
// Kernels call the same functions, so a kernel and its shape function can
// never disagree about an output size.
#pragma once

#include <string>
#include <vector>

#include "leanrt/base/shape.h"
#include "leanrt/base/status.h"
#include "leanrt/ir/attr.h"

namespace leanrt::ir {

// numpy/TF broadcast of two shapes; nullopt when incompatible.
std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b);
// Maps a possibly negative axis into [0, rank); nullopt when out of range.
std::optional<int> normalize_axis(int64_t axis, int rank);

enum class Padding { kSame, kValid, kExplicit };

// One spatial axis of a window op (conv, pool): TensorFlow's rules in
// tensorflow/core/framework/kernel_shape_util.cc (GetWindowedOutputSize).
struct WindowAxis {
  int64_t input = 0;
  int64_t window = 1;  // kernel extent before dilation
  int64_t stride = 1;
  int64_t dilation = 1;
  int64_t pad_before = 0;
  int64_t pad_after = 0;
  int64_t output = 0;
};

// Fills pad_before/pad_after/output of `axis` from its input, window,
// stride, dilation and the padding mode (explicit pads given for kExplicit).
Status resolve_window(Padding padding, WindowAxis& axis, int64_t explicit_before = 0,
                      int64_t explicit_after = 0);

// The 2-D window of an NHWC conv or pool node: reads `strides`,
// `dilations`, `padding` and `explicit_paddings` from attrs.
struct Window2D {
  WindowAxis height;
  WindowAxis width;
};
Expected<Window2D> window_2d(const AttrMap& attrs, const Shape& input_nhwc, int64_t window_height,
                             int64_t window_width);
Expected<Padding> parse_padding(const AttrMap& attrs);

// StridedSlice, resolved against a concrete input shape (TF's
// ValidateStridedSliceOp): for every input axis begin/stride/length, and the
// final output shape after shrink and new axes.
struct StridedSliceSpec {
  std::vector<int64_t> begin;   // per input axis
  std::vector<int64_t> stride;  // per input axis
  std::vector<int64_t> length;  // per input axis, >= 0
  Shape output_shape;
};
Expected<StridedSliceSpec> resolve_strided_slice(const Shape& input, const std::vector<int64_t>& begin,
                                                 const std::vector<int64_t>& end,
                                                 const std::vector<int64_t>& strides, int64_t begin_mask,
                                                 int64_t end_mask, int64_t ellipsis_mask,
                                                 int64_t new_axis_mask, int64_t shrink_axis_mask);

}  // namespace leanrt::ir
