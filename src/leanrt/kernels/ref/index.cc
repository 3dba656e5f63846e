// Reference kernels of gather (GatherV2 with batch_dims, Gather),
// gather_nd and sparse_to_dense. Indices are data: an index out of range is
// a run-time error naming the node, as in TF's CPU kernels.
#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {
namespace {

int64_t index_at(const TensorView& indices, int64_t i) {
  return indices.dtype == DType::kI64 ? indices.as<const int64_t>()[i] : indices.as<const int32_t>()[i];
}

}  // namespace

Expected<KernelPtr> make_gather(const KernelContext& context) {
  const Shape& params = context.input(0).shape;
  const Shape& indices = context.input(1).shape;
  int64_t axis_value = 0;
  if (context.node().op == "GatherV2") {
    LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.const_ints(2));
    axis_value = axes[0];
  }
  const int axis = *ir::normalize_axis(axis_value, static_cast<int>(params.size()));
  int64_t batch_dims = context.attrs().get_or<int64_t>("batch_dims", 0);
  if (batch_dims < 0) batch_dims += static_cast<int64_t>(indices.size());
  int64_t batch = 1, outer = 1, inner = 1, per_batch_indices = 1;
  for (int64_t a = 0; a < batch_dims; ++a) batch *= params[a];
  for (int64_t a = batch_dims; a < axis; ++a) outer *= params[a];
  for (size_t a = axis + 1; a < params.size(); ++a) inner *= params[a];
  for (size_t a = batch_dims; a < indices.size(); ++a) per_batch_indices *= indices[a];
  const int64_t extent = params[axis];
  const size_t slice_bytes = static_cast<size_t>(inner) * dtype_size(context.input(0).dtype);
  const std::string where = context.where();
  return make_kernel(kernel_name("Gather", context.input(0).dtype), [=](const KernelIO& io) -> Status {
    const std::byte* source = io.input(0).data;
    std::byte* out = io.output(0).data;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t k = 0; k < per_batch_indices; ++k) {
          const int64_t index = index_at(io.input(1), b * per_batch_indices + k);
          if (index < 0 || index >= extent)
            return invalid_argument("{}: index {} is out of range [0, {})", where, index, extent);
          const int64_t from = ((b * outer + o) * extent + index) * static_cast<int64_t>(slice_bytes);
          const int64_t to = ((b * outer + o) * per_batch_indices + k) * static_cast<int64_t>(slice_bytes);
          std::memcpy(out + to, source + from, slice_bytes);
        }
    return Status::ok();
  });
}

Expected<KernelPtr> make_gather_nd(const KernelContext& context) {
  const Shape& params = context.input(0).shape;
  const Shape& indices = context.input(1).shape;
  const int64_t depth = indices.back();
  const int64_t count = depth > 0 ? num_elements(indices) / depth : num_elements(indices);
  int64_t slice = 1;
  for (size_t a = depth; a < params.size(); ++a) slice *= params[a];
  std::vector<int64_t> param_strides(params.size());
  int64_t stride = 1;
  for (int64_t a = static_cast<int64_t>(params.size()) - 1; a >= 0; --a) {
    param_strides[a] = stride;
    stride *= params[a];
  }
  const size_t element_bytes = dtype_size(context.input(0).dtype);
  const std::string where = context.where();
  return make_kernel(kernel_name("GatherNd", context.input(0).dtype), [=](const KernelIO& io) -> Status {
    for (int64_t i = 0; i < count; ++i) {
      int64_t offset = 0;
      for (int64_t d = 0; d < depth; ++d) {
        const int64_t index = index_at(io.input(1), i * depth + d);
        if (index < 0 || index >= params[d])
          return invalid_argument("{}: index {} on axis {} is out of range [0, {})", where, index, d, params[d]);
        offset += index * param_strides[d];
      }
      std::memcpy(io.output(0).data + i * slice * element_bytes, io.input(0).data + offset * element_bytes,
                  static_cast<size_t>(slice) * element_bytes);
    }
    return Status::ok();
  });
}

// SparseToDense(sparse_indices [N, rank] or [N] or scalar, output_shape,
// sparse_values [N] or scalar, default_value).
Expected<KernelPtr> make_sparse_to_dense(const KernelContext& context) {
  const Shape& output = context.output(0).shape;
  const Shape& indices = context.input(0).shape;
  const int64_t rank = static_cast<int64_t>(output.size());
  const int64_t count = indices.empty() ? 1 : indices[0];
  const int64_t depth = indices.size() < 2 ? 1 : indices[1];
  if (depth != rank && !(rank <= 1 && depth == 1))
    return context.error("sparse_indices {} do not index output shape {}", shape_string(indices), shape_string(output));
  const bool scalar_values = context.input(2).shape.empty();
  const size_t element_bytes = dtype_size(context.output(0).dtype);
  const int64_t total = num_elements(output);
  const std::string where = context.where();
  return make_kernel(kernel_name("SparseToDense", context.output(0).dtype), [=](const KernelIO& io) -> Status {
    std::byte* out = io.output(0).data;
    for (int64_t i = 0; i < total; ++i) std::memcpy(out + i * element_bytes, io.input(3).data, element_bytes);
    for (int64_t n = 0; n < count; ++n) {
      int64_t offset = 0;
      for (int64_t d = 0; d < depth; ++d) {
        const int64_t index = index_at(io.input(0), n * depth + d);
        const int64_t dim = rank == 0 ? 1 : output[d];
        if (index < 0 || index >= dim)
          return invalid_argument("{}: sparse index {} on axis {} is out of range [0, {})", where, index, d, dim);
        offset = offset * dim + index;
      }
      const std::byte* value = io.input(2).data + (scalar_values ? 0 : n * static_cast<int64_t>(element_bytes));
      std::memcpy(out + offset * element_bytes, value, element_bytes);
    }
    return Status::ok();
  });
}

}  // namespace leanrt::kernels::ref
