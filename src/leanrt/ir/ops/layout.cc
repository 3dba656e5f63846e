// Shape functions of the data-movement families: reshape (and the other
// same-bytes ops), transpose, concat, pack, unpack, split, strided_slice,
// slice, tile, pad, broadcast_to, depth_to_space.
#include <numeric>

#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/shape_util.h"

namespace leanrt::ir::ops {
namespace {

std::vector<ValueType> one(DType dtype, Shape shape) { return {ValueType{dtype, std::move(shape)}}; }

Expected<Shape> reshape_target(const InferContext& context) {
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> target, context.const_ints(1));
  const int64_t elements = num_elements(context.shape(0));
  int unknown_axis = -1;
  int64_t known = 1;
  for (size_t axis = 0; axis < target.size(); ++axis) {
    if (target[axis] == -1) {
      if (unknown_axis >= 0) return context.error("shape [{}] has more than one -1", fmt::join(target, ", "));
      unknown_axis = static_cast<int>(axis);
    } else if (target[axis] < 0) {
      return context.error("shape [{}]: negative size {}", fmt::join(target, ", "), target[axis]);
    } else {
      known *= target[axis];
    }
  }
  if (unknown_axis >= 0) {
    if (known == 0 || elements % known != 0)
      return context.error("cannot reshape {} ({} elements) to [{}]", shape_string(context.shape(0)), elements,
                           fmt::join(target, ", "));
    target[unknown_axis] = elements / known;
  } else if (known != elements) {
    return context.error("cannot reshape {} ({} elements) to [{}] ({} elements)", shape_string(context.shape(0)),
                         elements, fmt::join(target, ", "), known);
  }
  return Shape(target.begin(), target.end());
}

}  // namespace

Expected<std::vector<ValueType>> infer_reshape(const InferContext& context) {
  const std::string& op = context.node().op;
  const Shape& input = context.shape(0);
  if (op == "Reshape") {
    LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
    LEANRT_ASSIGN_OR_RETURN(Shape target, reshape_target(context));
    return one(context.dtype(0), target);
  }
  if (op == "ExpandDims") {
    LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
    LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(1));
    if (axes.size() != 1) return context.error("dim: expected one value, found {}", axes.size());
    auto axis = normalize_axis(axes[0], static_cast<int>(input.size()) + 1);
    if (!axis) return context.error("dim {} is out of range for input {}", axes[0], shape_string(input));
    Shape output = input;
    output.insert(output.begin() + *axis, 1);
    return one(context.dtype(0), output);
  }
  if (op == "Squeeze") {
    LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
    auto dims = context.attrs().get_or<std::vector<int64_t>>("squeeze_dims", {});
    if (dims.empty()) dims = context.attrs().get_or<std::vector<int64_t>>("axis", {});
    const int rank = static_cast<int>(input.size());
    std::vector<bool> squeezed(rank, false);
    for (int64_t dim : dims) {
      auto axis = normalize_axis(dim, rank);
      if (!axis) return context.error("squeeze_dims {} is out of range for input {}", dim, shape_string(input));
      if (input[*axis] != 1)
        return context.error("cannot squeeze axis {} of size {} in {}", *axis, input[*axis], shape_string(input));
      squeezed[*axis] = true;
    }
    Shape output;
    for (int axis = 0; axis < rank; ++axis) {
      bool drop = dims.empty() ? input[axis] == 1 : squeezed[axis];
      if (!drop) output.push_back(input[axis]);
    }
    return one(context.dtype(0), output);
  }
  // Identity, Snapshot, StopGradient, EnsureShape, PlaceholderWithDefault.
  if (context.num_inputs() < 1) return context.error("expected 1 input, found 0");
  return one(context.dtype(0), input);
}

Expected<std::vector<ValueType>> infer_transpose(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> perm, context.const_ints(1));
  const Shape& input = context.shape(0);
  if (perm.size() != input.size())
    return context.error("perm [{}] has {} entries, input {} has rank {}", fmt::join(perm, ", "), perm.size(),
                         shape_string(input), input.size());
  std::vector<bool> seen(perm.size(), false);
  Shape output(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    auto axis = normalize_axis(perm[i], static_cast<int>(input.size()));
    if (!axis || seen[*axis]) return context.error("perm [{}] is not a permutation", fmt::join(perm, ", "));
    seen[*axis] = true;
    output[i] = input[*axis];
  }
  return one(context.dtype(0), output);
}

Expected<std::vector<ValueType>> infer_concat(const InferContext& context) {
  if (context.num_inputs() < 2) return context.error("expected values and an axis, found {} inputs", context.num_inputs());
  const int values = context.num_inputs() - 1;
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(values));
  const Shape& first = context.shape(0);
  auto axis = axes.size() == 1 ? normalize_axis(axes[0], static_cast<int>(first.size())) : std::nullopt;
  if (!axis) return context.error("axis is out of range for input {}", shape_string(first));
  Shape output = first;
  output[*axis] = 0;
  for (int i = 0; i < values; ++i) {
    const Shape& shape = context.shape(i);
    bool compatible = shape.size() == first.size() && context.dtype(i) == context.dtype(0);
    for (size_t d = 0; compatible && d < shape.size(); ++d)
      if (static_cast<int>(d) != *axis && shape[d] != first[d]) compatible = false;
    if (!compatible)
      return context.error("input {} is {} {}: does not concatenate with input 0 {} {} on axis {}", i,
                           shape_string(shape), dtype_name(context.dtype(i)), shape_string(first),
                           dtype_name(context.dtype(0)), *axis);
    output[*axis] += shape[*axis];
  }
  return one(context.dtype(0), output);
}

Expected<std::vector<ValueType>> infer_pack(const InferContext& context) {
  if (context.num_inputs() < 1) return context.error("expected at least 1 input, found 0");
  const Shape& first = context.shape(0);
  for (int i = 1; i < context.num_inputs(); ++i)
    if (context.shape(i) != first || context.dtype(i) != context.dtype(0))
      return context.error("input {} is {} {}: expected {} {} like input 0", i, shape_string(context.shape(i)),
                           dtype_name(context.dtype(i)), shape_string(first), dtype_name(context.dtype(0)));
  auto axis = normalize_axis(context.attrs().get_or<int64_t>("axis", 0), static_cast<int>(first.size()) + 1);
  if (!axis) return context.error("axis is out of range for inputs {}", shape_string(first));
  Shape output = first;
  output.insert(output.begin() + *axis, context.num_inputs());
  return one(context.dtype(0), output);
}

Expected<std::vector<ValueType>> infer_unpack(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  const Shape& input = context.shape(0);
  auto axis = normalize_axis(context.attrs().get_or<int64_t>("axis", 0), static_cast<int>(input.size()));
  if (!axis) return context.error("axis is out of range for input {}", shape_string(input));
  int64_t count = context.attrs().get_or<int64_t>("num", input[*axis]);
  if (count != input[*axis])
    return context.error("num {} differs from axis {} of input {}", count, *axis, shape_string(input));
  Shape piece = input;
  piece.erase(piece.begin() + *axis);
  return std::vector<ValueType>(static_cast<size_t>(count), ValueType{context.dtype(0), piece});
}

// Split(axis, value) into num_split equal parts; SplitV(value, size_splits,
// axis) into given sizes, one of which may be -1.
Expected<std::vector<ValueType>> infer_split(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(context.node().op == "Split" ? 2 : 3));
  const bool is_v = context.node().op == "SplitV";
  const int value_index = is_v ? 0 : 1;
  const int axis_index = is_v ? 2 : 0;
  const Shape& input = context.shape(value_index);
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(axis_index));
  auto axis = axes.size() == 1 ? normalize_axis(axes[0], static_cast<int>(input.size())) : std::nullopt;
  if (!axis) return context.error("split axis is out of range for input {}", shape_string(input));
  const int64_t extent = input[*axis];
  std::vector<int64_t> sizes;
  if (is_v) {
    LEANRT_ASSIGN_OR_RETURN(sizes, context.const_ints(1));
    int64_t known = 0;
    int unknown = -1;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (sizes[i] == -1 && unknown < 0) unknown = static_cast<int>(i);
      else if (sizes[i] < 0) return context.error("size_splits [{}]: bad size {}", fmt::join(sizes, ", "), sizes[i]);
      else known += sizes[i];
    }
    if (unknown >= 0) sizes[unknown] = extent - known;
    if ((unknown >= 0 && known > extent) || (unknown < 0 && known != extent))
      return context.error("size_splits [{}] do not add up to axis {} of size {}", fmt::join(sizes, ", "), *axis,
                           extent);
  } else {
    int64_t parts = context.attrs().get_or<int64_t>("num_split", 1);
    if (parts <= 0 || extent % parts != 0)
      return context.error("cannot split axis {} of size {} into {} equal parts", *axis, extent, parts);
    sizes.assign(static_cast<size_t>(parts), extent / parts);
  }
  std::vector<ValueType> outputs;
  for (int64_t size : sizes) {
    Shape piece = input;
    piece[*axis] = size;
    outputs.push_back({context.dtype(value_index), piece});
  }
  return outputs;
}

Expected<std::vector<ValueType>> infer_strided_slice(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(4));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> begin, context.const_ints(1));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> end, context.const_ints(2));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> strides, context.const_ints(3));
  const AttrMap& attrs = context.attrs();
  auto spec = resolve_strided_slice(context.shape(0), begin, end, strides, attrs.get_or<int64_t>("begin_mask", 0),
                                    attrs.get_or<int64_t>("end_mask", 0), attrs.get_or<int64_t>("ellipsis_mask", 0),
                                    attrs.get_or<int64_t>("new_axis_mask", 0),
                                    attrs.get_or<int64_t>("shrink_axis_mask", 0));
  if (!spec) return spec.status().with_context(context.where());
  return one(context.dtype(0), spec->output_shape);
}

Expected<std::vector<ValueType>> infer_slice(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(3));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> begin, context.const_ints(1));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> size, context.const_ints(2));
  const Shape& input = context.shape(0);
  if (begin.size() != input.size() || size.size() != input.size())
    return context.error("begin [{}] and size [{}]: expected {} values each for input {}", fmt::join(begin, ", "),
                         fmt::join(size, ", "), input.size(), shape_string(input));
  Shape output(input.size());
  for (size_t axis = 0; axis < input.size(); ++axis) {
    int64_t length = size[axis] == -1 ? input[axis] - begin[axis] : size[axis];
    if (begin[axis] < 0 || length < 0 || begin[axis] + length > input[axis])
      return context.error("begin {} size {} is out of bounds for axis {} of input {}", begin[axis], size[axis],
                           axis, shape_string(input));
    output[axis] = length;
  }
  return one(context.dtype(0), output);
}

Expected<std::vector<ValueType>> infer_tile(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> multiples, context.const_ints(1));
  const Shape& input = context.shape(0);
  if (multiples.size() != input.size())
    return context.error("multiples [{}]: expected {} values for input {}", fmt::join(multiples, ", "),
                         input.size(), shape_string(input));
  Shape output(input.size());
  for (size_t axis = 0; axis < input.size(); ++axis) {
    if (multiples[axis] < 0) return context.error("multiples[{}] is negative: {}", axis, multiples[axis]);
    output[axis] = input[axis] * multiples[axis];
  }
  return one(context.dtype(0), output);
}

// Pad(x, paddings [rank, 2]), PadV2(x, paddings, constant_values) and
// MirrorPad(x, paddings) with mode REFLECT or SYMMETRIC.
Expected<std::vector<ValueType>> infer_pad(const InferContext& context) {
  const std::string& op = context.node().op;
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(op == "PadV2" ? 3 : 2));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> paddings, context.const_ints(1));
  const Shape& input = context.shape(0);
  if (paddings.size() != 2 * input.size())
    return context.error("paddings has {} values: expected [{}, 2] for input {}", paddings.size(), input.size(),
                         shape_string(input));
  std::string mode = context.attrs().get_or<std::string>("mode", "CONSTANT");
  Shape output(input.size());
  for (size_t axis = 0; axis < input.size(); ++axis) {
    int64_t before = paddings[2 * axis], after = paddings[2 * axis + 1];
    if (before < 0 || after < 0) return context.error("paddings for axis {} are negative: {}, {}", axis, before, after);
    if (op == "MirrorPad") {
      int64_t limit = mode == "REFLECT" ? input[axis] - 1 : input[axis];
      if (before > limit || after > limit)
        return context.error("{} padding {}, {} exceeds {} for axis {} of size {}", mode, before, after, limit, axis,
                             input[axis]);
    }
    output[axis] = input[axis] + before + after;
  }
  if (op == "MirrorPad" && mode != "REFLECT" && mode != "SYMMETRIC")
    return context.error("mode \"{}\": expected REFLECT or SYMMETRIC", mode);
  return one(context.dtype(0), output);
}

Expected<std::vector<ValueType>> infer_broadcast_to(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> target, context.const_ints(1));
  Shape shape(target.begin(), target.end());
  auto broadcast = broadcast_shapes(context.shape(0), shape);
  if (!broadcast || *broadcast != shape)
    return context.error("input {} does not broadcast to {}", shape_string(context.shape(0)), shape_string(shape));
  return one(context.dtype(0), shape);
}

// DepthToSpace / SpaceToDepth, NHWC, attr block_size.
Expected<std::vector<ValueType>> infer_depth_to_space(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  LEANRT_RETURN_IF_ERROR(context.expect_rank(0, 4));
  std::string format = context.attrs().get_or<std::string>("data_format", "NHWC");
  if (format != "NHWC") return unsupported("{}: data_format \"{}\": only NHWC is supported", context.where(), format);
  const int64_t block = context.attrs().get_or<int64_t>("block_size", 0);
  const Shape& input = context.shape(0);
  if (block < 2) return context.error("block_size {}: expected >= 2", block);
  if (context.node().op == "DepthToSpace") {
    if (input[3] % (block * block) != 0)
      return context.error("channels {} of {} are not divisible by block_size^2 = {}", input[3], shape_string(input),
                           block * block);
    return one(context.dtype(0), {input[0], input[1] * block, input[2] * block, input[3] / (block * block)});
  }
  if (input[1] % block != 0 || input[2] % block != 0)
    return context.error("height and width of {} are not divisible by block_size {}", shape_string(input), block);
  return one(context.dtype(0), {input[0], input[1] / block, input[2] / block, input[3] * block * block});
}

}  // namespace leanrt::ir::ops
