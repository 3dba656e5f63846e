// oneDNN reduction for float32 Sum, Mean, Max, Min and Prod over constant
// axes: a reduction primitive over innermost axes (a layer norm's means),
// a global pooling for Mean / Max over H and W of NHWC (global average
// pooling written as a Mean). The output keeps the reduced axes as 1s in
// oneDNN's view: with or without keep_dims, the bytes are the same
// row-major tensor.
#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/onednn/onednn.h"
#include "leanrt/kernels/onednn/onednn_kernel.h"

namespace leanrt::kernels::onednn {
namespace {

std::optional<dnnl::algorithm> reduction_algorithm(const std::string& op) {
  if (op == "Sum") return dnnl::algorithm::reduction_sum;
  if (op == "Mean") return dnnl::algorithm::reduction_mean;
  if (op == "Max") return dnnl::algorithm::reduction_max;
  if (op == "Min") return dnnl::algorithm::reduction_min;
  if (op == "Prod") return dnnl::algorithm::reduction_mul;
  return std::nullopt;
}

dnnl::memory::desc row_major(const dnnl::memory::dims& dims) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (int axis = static_cast<int>(dims.size()) - 2; axis >= 0; --axis) strides[axis] = strides[axis + 1] * dims[axis + 1];
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

// Mean or Max over H and W of an NHWC tensor (global pooling): oneDNN's
// reduction has only a reference implementation for axes that are not
// innermost, its pooling a jit one.
Expected<KernelPtr> global_pool(const KernelContext& context, const Shape& input, bool is_max, int threads) {
  const dnnl::memory::desc src = nhwc_desc(input[0], input[1], input[2], input[3]);
  const dnnl::memory::desc dst = nhwc_desc(input[0], 1, 1, input[3]);
  try {
    dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference,
                                     is_max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding,
                                     src, dst, {1, 1}, {input[1], input[2]}, {0, 0}, {0, 0});
    dnnl::pooling_forward::primitive_desc pd(desc, base_attr(), cpu_engine());
    if (is_reference_implementation(pd)) return KernelPtr();
    OnednnKernelBuilder builder(kernel_name(context.node().op));
    builder.bind_runtime(DNNL_ARG_SRC, src, {RuntimeSource::kInput, 0});
    builder.bind_runtime(DNNL_ARG_DST, dst, {RuntimeSource::kOutput, 0});
    return builder.finish(dnnl::pooling_forward(pd), pd.scratchpad_desc(), threads);
  } catch (const dnnl::error& error) {
    return creation_error(context, "a global pooling", error);
  }
}

}  // namespace

Expected<KernelPtr> make_reduce(const KernelContext& context, const KernelOptions& options) {
  const auto algorithm = reduction_algorithm(context.node().op);
  const Shape& input = context.input(0).shape;
  if (!algorithm || context.input(0).dtype != DType::kF32 || input.empty() || input.size() > 6 ||
      num_elements(input) == 0)
    return KernelPtr();
  auto axes = context.const_ints(1);
  if (!axes) return KernelPtr();
  dnnl::memory::dims source_dims(input.begin(), input.end());
  dnnl::memory::dims reduced_dims = source_dims;
  bool reduces = false;
  for (int64_t axis : *axes) {
    auto normalized = ir::normalize_axis(axis, static_cast<int>(input.size()));
    if (!normalized) return KernelPtr();
    reduces = reduces || reduced_dims[*normalized] != 1;
    reduced_dims[*normalized] = 1;
  }
  if (!reduces) return KernelPtr();  // a copy: the reference does it
  const int threads = primitive_threads(static_cast<double>(num_elements(input)), options.threads);
  ThreadCountScope thread_count(threads);
  const bool spatial = input.size() == 4 && reduced_dims[0] == input[0] && reduced_dims[1] == 1 &&
                       reduced_dims[2] == 1 && reduced_dims[3] == input[3];
  if (spatial && (*algorithm == dnnl::algorithm::reduction_mean || *algorithm == dnnl::algorithm::reduction_max))
    return global_pool(context, input, *algorithm == dnnl::algorithm::reduction_max, threads);
  const dnnl::memory::desc src = row_major(source_dims);
  const dnnl::memory::desc dst = row_major(reduced_dims);
  try {
    dnnl::reduction::desc desc(*algorithm, src, dst, 0.0f, 0.0f);
    dnnl::reduction::primitive_desc pd(desc, base_attr(), cpu_engine());
    if (is_reference_implementation(pd)) return KernelPtr();
    OnednnKernelBuilder builder(kernel_name(context.node().op));
    builder.bind_runtime(DNNL_ARG_SRC, src, {RuntimeSource::kInput, 0});
    builder.bind_runtime(DNNL_ARG_DST, dst, {RuntimeSource::kOutput, 0});
    return builder.finish(dnnl::reduction(pd), pd.scratchpad_desc(), threads);
  } catch (const dnnl::error& error) {
    return creation_error(context, "a reduction", error);
  }
}

}  // namespace leanrt::kernels::onednn
