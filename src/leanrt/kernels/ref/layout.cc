// Reference kernels of the data-movement families. Most are one strided
// copy (copy_strided) whose strides are worked out at compile time.
#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {
namespace {

size_t element_bytes_of(const KernelContext& context) { return dtype_size(context.output(0).dtype); }

Expected<KernelPtr> strided_copy_kernel(const KernelContext& context, StridedView source) {
  const size_t element_bytes = element_bytes_of(context);
  const StridedView target = dense_view(Dims::from(context.output(0).shape));
  return make_kernel(kernel_name(context.node().op, context.output(0).dtype),
                     [target, source, element_bytes](const KernelIO& io) {
                       copy_strided(io.output(0).data, target, io.input(0).data, source, element_bytes);
                       return Status::ok();
                     });
}

}  // namespace

// Reshape, ExpandDims, Squeeze, Identity, ...: the planner usually gives the
// output the input's buffer, and then there is nothing to do.
Expected<KernelPtr> make_reshape(const KernelContext& context) {
  return make_kernel(kernel_name(context.node().op, context.output(0).dtype), [](const KernelIO& io) {
    copy_if_distinct(io.input(0), io.output(0));
    return Status::ok();
  });
}

Expected<KernelPtr> make_transpose(const KernelContext& context) {
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> perm, context.const_ints(1));
  const Dims input = Dims::from(context.input(0).shape);
  int64_t input_strides[kMaxRank];
  row_major_strides(input, input_strides);
  StridedView source;
  source.shape = Dims::from(context.output(0).shape);
  for (int axis = 0; axis < input.rank; ++axis) {
    int64_t from = perm[axis] < 0 ? perm[axis] + input.rank : perm[axis];
    source.strides[axis] = input_strides[from];
  }
  return strided_copy_kernel(context, source);
}

// ConcatV2 and Pack: each input is copied into its slab of the output.
namespace {

struct Slab {
  StridedView target;  // where this input lands in the output
  StridedView source;  // the input, dense
};

Expected<KernelPtr> slab_kernel(const KernelContext& context, std::vector<Slab> slabs) {
  const size_t element_bytes = element_bytes_of(context);
  return make_kernel(kernel_name(context.node().op, context.output(0).dtype),
                     [slabs = std::move(slabs), element_bytes](const KernelIO& io) {
                       for (size_t i = 0; i < slabs.size(); ++i) {
                         const std::byte* input = io.input(static_cast<int>(i)).data;
                         // The planner may have had the input computed in its place (a slice).
                         if (input == io.output(0).data + slabs[i].target.offset * element_bytes) continue;
                         copy_strided(io.output(0).data, slabs[i].target, input, slabs[i].source, element_bytes);
                       }
                       return Status::ok();
                     });
}

// Unpack, Split, SplitV: output i is slab i of input `source`.
Expected<KernelPtr> output_slab_kernel(const KernelContext& context, std::vector<Slab> slabs, int source) {
  const size_t element_bytes = element_bytes_of(context);
  return make_kernel(kernel_name(context.node().op, context.output(0).dtype),
                     [slabs = std::move(slabs), element_bytes, source](const KernelIO& io) {
                       for (size_t i = 0; i < slabs.size(); ++i)
                         copy_strided(io.output(static_cast<int>(i)).data, slabs[i].target, io.input(source).data,
                                      slabs[i].source, element_bytes);
                       return Status::ok();
                     });
}

}  // namespace

Expected<KernelPtr> make_concat(const KernelContext& context) {
  const int values = context.num_inputs() - 1;
  const Dims output = Dims::from(context.output(0).shape);
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(values));
  const int axis = static_cast<int>(axes[0] < 0 ? axes[0] + output.rank : axes[0]);
  int64_t output_strides[kMaxRank];
  row_major_strides(output, output_strides);
  std::vector<Slab> slabs;
  int64_t position = 0;
  for (int i = 0; i < values; ++i) {
    Slab slab;
    slab.source = dense_view(Dims::from(context.input(i).shape));
    slab.target.shape = slab.source.shape;
    std::copy(output_strides, output_strides + output.rank, slab.target.strides);
    slab.target.offset = position * output_strides[axis];
    position += slab.source.shape[axis];
    slabs.push_back(slab);
  }
  return slab_kernel(context, std::move(slabs));
}

Expected<KernelPtr> make_pack(const KernelContext& context) {
  const Dims output = Dims::from(context.output(0).shape);
  int64_t axis = context.attrs().get_or<int64_t>("axis", 0);
  if (axis < 0) axis += output.rank;
  int64_t output_strides[kMaxRank];
  row_major_strides(output, output_strides);
  std::vector<Slab> slabs;
  for (int i = 0; i < context.num_inputs(); ++i) {
    Slab slab;
    slab.source = dense_view(Dims::from(context.input(i).shape));
    // The input is the output with the packed axis removed.
    slab.target.shape = slab.source.shape;
    int target_axis = 0;
    for (int a = 0; a < output.rank; ++a)
      if (a != axis) slab.target.strides[target_axis++] = output_strides[a];
    slab.target.offset = i * output_strides[axis];
    slabs.push_back(slab);
  }
  return slab_kernel(context, std::move(slabs));
}

// Unpack, Split and SplitV: each output is a slab of the input.
Expected<KernelPtr> make_unpack(const KernelContext& context) {
  const Dims input = Dims::from(context.input(0).shape);
  int64_t axis = context.attrs().get_or<int64_t>("axis", 0);
  if (axis < 0) axis += input.rank;
  int64_t input_strides[kMaxRank];
  row_major_strides(input, input_strides);
  std::vector<Slab> slabs;
  for (int i = 0; i < context.num_outputs(); ++i) {
    Slab slab;
    slab.target = dense_view(Dims::from(context.output(i).shape));
    slab.source.shape = slab.target.shape;
    int source_axis = 0;
    for (int a = 0; a < input.rank; ++a)
      if (a != axis) slab.source.strides[source_axis++] = input_strides[a];
    slab.source.offset = i * input_strides[axis];
    slabs.push_back(slab);
  }
  return output_slab_kernel(context, std::move(slabs), 0);
}

Expected<KernelPtr> make_split(const KernelContext& context) {
  const bool is_v = context.node().op == "SplitV";
  const int value_index = is_v ? 0 : 1;
  const Dims input = Dims::from(context.input(value_index).shape);
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(is_v ? 2 : 0));
  const int axis = static_cast<int>(axes[0] < 0 ? axes[0] + input.rank : axes[0]);
  int64_t input_strides[kMaxRank];
  row_major_strides(input, input_strides);
  std::vector<Slab> slabs;
  int64_t position = 0;
  for (int i = 0; i < context.num_outputs(); ++i) {
    Slab slab;
    slab.target = dense_view(Dims::from(context.output(i).shape));
    slab.source.shape = slab.target.shape;
    std::copy(input_strides, input_strides + input.rank, slab.source.strides);
    slab.source.offset = position * input_strides[axis];
    position += slab.target.shape[axis];
    slabs.push_back(slab);
  }
  return output_slab_kernel(context, std::move(slabs), value_index);
}

Expected<KernelPtr> make_strided_slice(const KernelContext& context) {
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> begin, context.const_ints(1));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> end, context.const_ints(2));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> strides, context.const_ints(3));
  const ir::AttrMap& attrs = context.attrs();
  const Shape& input_shape = context.input(0).shape;
  auto spec = ir::resolve_strided_slice(input_shape, begin, end, strides, attrs.get_or<int64_t>("begin_mask", 0),
                                        attrs.get_or<int64_t>("end_mask", 0),
                                        attrs.get_or<int64_t>("ellipsis_mask", 0),
                                        attrs.get_or<int64_t>("new_axis_mask", 0),
                                        attrs.get_or<int64_t>("shrink_axis_mask", 0));
  if (!spec) return spec.status().with_context(context.where());
  // Walk the input axes (new axes and shrunk axes change only the shape).
  const Dims input = Dims::from(input_shape);
  int64_t input_strides[kMaxRank];
  row_major_strides(input, input_strides);
  StridedView source;
  source.shape.rank = input.rank;
  for (int axis = 0; axis < input.rank; ++axis) {
    source.shape[axis] = spec->length[axis];
    source.strides[axis] = spec->stride[axis] * input_strides[axis];
    source.offset += spec->begin[axis] * input_strides[axis];
  }
  const StridedView target = dense_view(source.shape);
  const size_t element_bytes = element_bytes_of(context);
  return make_kernel(kernel_name("StridedSlice", context.output(0).dtype),
                     [target, source, element_bytes](const KernelIO& io) {
                       copy_strided(io.output(0).data, target, io.input(0).data, source, element_bytes);
                       return Status::ok();
                     });
}

Expected<KernelPtr> make_slice(const KernelContext& context) {
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> begin, context.const_ints(1));
  const Dims input = Dims::from(context.input(0).shape);
  int64_t input_strides[kMaxRank];
  row_major_strides(input, input_strides);
  StridedView source;
  source.shape = Dims::from(context.output(0).shape);
  for (int axis = 0; axis < input.rank; ++axis) {
    source.strides[axis] = input_strides[axis];
    source.offset += begin[axis] * input_strides[axis];
  }
  return strided_copy_kernel(context, source);
}

// BroadcastTo: stride 0 along broadcast axes.
Expected<KernelPtr> make_broadcast_to(const KernelContext& context) {
  const Dims output = Dims::from(context.output(0).shape);
  const Dims input = Dims::from(context.input(0).shape);
  int64_t input_strides[kMaxRank];
  row_major_strides(input, input_strides);
  StridedView source;
  source.shape = output;
  for (int axis = 0; axis < output.rank; ++axis) {
    int input_axis = axis - (output.rank - input.rank);
    source.strides[axis] = input_axis < 0 || input[input_axis] == 1 ? 0 : input_strides[input_axis];
  }
  return strided_copy_kernel(context, source);
}

// Tile: the output seen as [multiple_0, dim_0, multiple_1, dim_1, ...] reads
// the input with stride 0 along the multiple axes.
Expected<KernelPtr> make_tile(const KernelContext& context) {
  const Dims input = Dims::from(context.input(0).shape);
  if (2 * input.rank > kMaxRank) return context.unsupported("Tile of rank {} (max {})", input.rank, kMaxRank / 2);
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> multiples, context.const_ints(1));
  int64_t input_strides[kMaxRank];
  row_major_strides(input, input_strides);
  StridedView source;
  source.shape.rank = 2 * input.rank;
  for (int axis = 0; axis < input.rank; ++axis) {
    source.shape[2 * axis] = multiples[axis];
    source.shape[2 * axis + 1] = input[axis];
    source.strides[2 * axis] = 0;
    source.strides[2 * axis + 1] = input_strides[axis];
  }
  const StridedView target = dense_view(source.shape);
  const size_t element_bytes = element_bytes_of(context);
  return make_kernel(kernel_name("Tile", context.output(0).dtype), [target, source, element_bytes](const KernelIO& io) {
    copy_strided(io.output(0).data, target, io.input(0).data, source, element_bytes);
    return Status::ok();
  });
}

// Pad / PadV2 fill the border with a constant and copy the input inside;
// MirrorPad maps every output index back into the input (REFLECT excludes
// the edge, SYMMETRIC repeats it).
Expected<KernelPtr> make_pad(const KernelContext& context) {
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> paddings, context.const_ints(1));
  const Dims input = Dims::from(context.input(0).shape);
  const Dims output = Dims::from(context.output(0).shape);
  const size_t element_bytes = element_bytes_of(context);
  if (context.node().op == "MirrorPad") {
    const bool reflect = context.attrs().get_or<std::string>("mode", "REFLECT") == "REFLECT";
    int64_t input_strides[kMaxRank];
    row_major_strides(input, input_strides);
    return make_kernel(kernel_name("MirrorPad", context.output(0).dtype),
                       [=](const KernelIO& io) {
                         int64_t index[kMaxRank] = {};
                         const int64_t total = output.elements();
                         for (int64_t out = 0; out < total; ++out) {
                           int64_t source = 0;
                           for (int axis = 0; axis < output.rank; ++axis) {
                             int64_t i = index[axis] - paddings[2 * axis];
                             const int64_t dim = input[axis];
                             if (i < 0) i = reflect ? -i : -i - 1;
                             else if (i >= dim) i = reflect ? 2 * dim - i - 2 : 2 * dim - i - 1;
                             source += i * input_strides[axis];
                           }
                           std::memcpy(io.output(0).data + out * element_bytes,
                                       io.input(0).data + source * element_bytes, element_bytes);
                           for (int axis = output.rank - 1; axis >= 0; --axis) {
                             if (++index[axis] < output[axis]) break;
                             index[axis] = 0;
                           }
                         }
                         return Status::ok();
                       });
  }
  const bool has_value = context.node().op == "PadV2";
  StridedView target = dense_view(input);
  int64_t output_strides[kMaxRank];
  row_major_strides(output, output_strides);
  for (int axis = 0; axis < output.rank; ++axis) {
    target.strides[axis] = output_strides[axis];
    target.offset += paddings[2 * axis] * output_strides[axis];
  }
  const StridedView source = dense_view(input);
  const int64_t total = output.elements();
  return make_kernel(kernel_name(context.node().op, context.output(0).dtype),
                     [=](const KernelIO& io) {
                       std::byte* out = io.output(0).data;
                       if (has_value) {
                         const std::byte* value = io.input(2).data;
                         for (int64_t i = 0; i < total; ++i) std::memcpy(out + i * element_bytes, value, element_bytes);
                       } else {
                         std::memset(out, 0, static_cast<size_t>(total) * element_bytes);
                       }
                       copy_strided(out, target, io.input(0).data, source, element_bytes);
                       return Status::ok();
                     });
}

// DepthToSpace (TF's DCR order): out[n, h*b + i, w*b + j, c] =
// in[n, h, w, (i*b + j)*C' + c]; SpaceToDepth is its inverse.
Expected<KernelPtr> make_depth_to_space(const KernelContext& context) {
  const int64_t block = context.attrs().get_or<int64_t>("block_size", 2);
  const bool to_space = context.node().op == "DepthToSpace";
  const Shape& space_shape = to_space ? context.output(0).shape : context.input(0).shape;
  const int64_t n = space_shape[0], h = space_shape[1] / block, w = space_shape[2] / block, c = space_shape[3];
  // The depth tensor viewed as [n, h, w, i, j, c] and the space tensor as
  // [n, h, i, w, j, c]; a walk over the depth order reads/writes both.
  StridedView depth_view = dense_view(Dims{n, h, w, block, block, c});
  StridedView space_view;
  space_view.shape = depth_view.shape;
  const int64_t space_row = space_shape[2] * c;  // elements per space row
  const int64_t strides[6] = {space_shape[1] * space_row, block * space_row, block * c, space_row, c, 1};
  std::copy(strides, strides + 6, space_view.strides);
  const size_t element_bytes = element_bytes_of(context);
  return make_kernel(kernel_name(context.node().op, context.output(0).dtype),
                     [=](const KernelIO& io) {
                       if (to_space) copy_strided(io.output(0).data, space_view, io.input(0).data, depth_view, element_bytes);
                       else copy_strided(io.output(0).data, depth_view, io.input(0).data, space_view, element_bytes);
                       return Status::ok();
                     });
}

}  // namespace leanrt::kernels::ref
