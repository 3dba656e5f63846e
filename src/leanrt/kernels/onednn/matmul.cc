// oneDNN matmul for the matmul family. Transposes and broadcast batch axes
// are expressed as strides, so no operand is copied at run time; a constant
// B (the usual fully-connected weights) is reordered once into oneDNN's
// preferred layout.
#include <algorithm>

#include "leanrt/kernels/onednn/fused_tail.h"
#include "leanrt/kernels/onednn/onednn.h"

namespace leanrt::kernels::onednn {
namespace {

using dims = dnnl::memory::dims;

// `shape` left-padded with 1s to `rank` dims.
dims padded(const Shape& shape, size_t rank) {
  dims result(rank - shape.size(), 1);
  result.insert(result.end(), shape.begin(), shape.end());
  return result;
}

dims row_major_strides(const dims& extent) {
  dims strides(extent.size(), 1);
  for (int axis = static_cast<int>(extent.size()) - 2; axis >= 0; --axis)
    strides[axis] = strides[axis + 1] * extent[axis + 1];
  return strides;
}

// The logical (batch..., rows, columns) view of a stored operand that may be
// transposed in its last two axes.
dnnl::memory::desc operand_desc(const Shape& stored_shape, size_t rank, bool transposed) {
  const dims stored = padded(stored_shape, rank);
  dims strides = row_major_strides(stored);
  dims logical = stored;
  if (transposed) {
    std::swap(logical[rank - 2], logical[rank - 1]);
    std::swap(strides[rank - 2], strides[rank - 1]);
  }
  return dnnl::memory::desc(logical, dnnl::memory::data_type::f32, strides);
}

}  // namespace

Expected<KernelPtr> make_matmul(const KernelContext& context, const KernelOptions& options) {
  const std::string& op = context.node().op;
  if (context.input(0).dtype != DType::kF32 || context.input(1).dtype != DType::kF32) return KernelPtr();
  const Shape& a = context.input(0).shape;
  const Shape& b = context.input(1).shape;
  const Shape& out = context.output(0).shape;
  if (a.size() < 2 || b.size() < 2 || out.size() > 6 || num_elements(out) == 0 || num_elements(a) == 0 ||
      num_elements(b) == 0)
    return KernelPtr();
  const bool batched = op.starts_with("BatchMatMul");
  const bool transpose_a = context.attrs().get_or<bool>(batched ? "adj_x" : "transpose_a", false);
  const bool transpose_b = context.attrs().get_or<bool>(batched ? "adj_y" : "transpose_b", false);
  const int64_t columns = out.back();
  FusedTail tail;
  if (op == "_FusedMatMul") {
    auto parsed = FusedTail::parse(context, 2, columns);
    if (!parsed) return parsed.status().code() == ErrorCode::kUnsupported ? Expected<KernelPtr>(KernelPtr()) : parsed.status();
    tail = *parsed;
  }
  std::vector<float> scale, bias;
  tail.fold(context, columns, scale, bias);
  if (!scale.empty()) return KernelPtr();  // TF has no batch norm in _FusedMatMul
  // oneDNN 2.6's matmul accepts a prelu post-op but rejects its weights at
  // execute (invalid_arguments, seen in onednn_matmul_test): keep the reference.
  if (tail.activation == ref::Activation::kPrelu) return KernelPtr();

  // A product with few rows (a dense layer at batch 1) streams its weights
  // once per run: split across the threads, each core reads its half from its
  // own L2, so weight bytes count as work too.
  const double multiply_adds = static_cast<double>(num_elements(out)) * (transpose_a ? a[a.size() - 2] : a.back());
  const double weight_elements = static_cast<double>(num_elements(b));
  const int threads = primitive_threads(std::max(multiply_adds, kWeightStreamWork * weight_elements), options.threads);
  ThreadCountScope thread_count(threads);
  const size_t rank = out.size();
  const dnnl::memory::desc src = operand_desc(a, rank, transpose_a);
  const dnnl::memory::desc weights = operand_desc(b, rank, transpose_b);
  const dims out_dims(out.begin(), out.end());
  const dnnl::memory::desc dst(out_dims, dnnl::memory::data_type::f32, row_major_strides(out_dims));
  dims bias_dims(rank, 1);
  bias_dims.back() = columns;
  const dnnl::memory::desc bias_desc =
      bias.empty() ? dnnl::memory::desc() : dnnl::memory::desc(bias_dims, dnnl::memory::data_type::f32, row_major_strides(bias_dims));
  const bool constant_weights = context.input(1).is_constant();
  try {
    const dnnl::memory::desc weights_request =
        constant_weights ? dnnl::memory::desc(weights.dims(), dnnl::memory::data_type::f32, dnnl::memory::format_tag::any)
                         : weights;
    dnnl::matmul::desc desc(src, weights_request, bias_desc, dst);
    dnnl::primitive_attr attr = base_attr();
    LEANRT_ASSIGN_OR_RETURN(dnnl::post_ops post_ops, tail.post_ops(context, static_cast<int>(rank) - 1, dst));
    attr.set_post_ops(post_ops);
    dnnl::matmul::primitive_desc pd(desc, attr, cpu_engine());
    if (is_reference_implementation(pd)) return KernelPtr();

    OnednnKernelBuilder builder(batched ? "batch_mat_mul_f32_onednn" : "mat_mul_f32_onednn");
    builder.bind_runtime(DNNL_ARG_SRC, src, {RuntimeSource::kInput, 0});
    builder.bind_runtime(DNNL_ARG_DST, dst, {RuntimeSource::kOutput, 0});
    if (constant_weights)
      LEANRT_RETURN_IF_ERROR(builder.bind_packed(DNNL_ARG_WEIGHTS, pd.weights_desc(), weights,
                                                 context.input(1).constant->data, 1,
                                                 {&context.graph(), context.node().inputs[1]}));
    else
      builder.bind_runtime(DNNL_ARG_WEIGHTS, weights, {RuntimeSource::kInput, 1});
    if (!bias.empty()) {
      AlignedBuffer bias_buffer(bias.size() * sizeof(float));
      std::copy(bias.begin(), bias.end(), reinterpret_cast<float*>(bias_buffer.data()));
      builder.bind_fixed(DNNL_ARG_BIAS, bias_desc, builder.keep(std::move(bias_buffer)));
      tail.mark_folded_inputs(builder);
    }
    tail.bind_post_op_args(context, builder, static_cast<int>(rank) - 1, dst);
    return builder.finish(dnnl::matmul(pd), pd.scratchpad_desc(), threads);
  } catch (const dnnl::error& error) {
    return creation_error(context, "a matmul", error);
  }
}

}  // namespace leanrt::kernels::onednn
