// Dense layers (MatMul, _FusedMatMul, BatchMatMul with one constant matrix
// for every batch) as the packed GEMM (packed_gemm.h): A's rows, over all its
// leading axes, are the GEMM's rows; B, constant and stored [K, N] or
// transposed [N, K], its packed operand. A transposed A stays with oneDNN.
#include <algorithm>

#include "leanrt/kernels/fast/fast.h"
#include "leanrt/kernels/fast/packed_gemm.h"
#include "leanrt/kernels/onednn/onednn_kernel.h"

namespace leanrt::kernels::fast {

Expected<KernelPtr> make_dense_matmul(const KernelContext& context, const KernelOptions& options) {
  if (!packed_gemm_supported()) return KernelPtr();
  const std::string& op = context.node().op;
  const bool batched = op.starts_with("BatchMatMul");
  if (context.input(0).dtype != DType::kF32 || context.input(1).dtype != DType::kF32) return KernelPtr();
  if (!context.input(1).is_constant()) return KernelPtr();
  const Shape& a = context.input(0).shape;
  const Shape& b = context.input(1).shape;
  if (a.size() < 2 || b.size() < 2 || num_elements(a) == 0 || num_elements(context.output(0).shape) == 0) return KernelPtr();
  if (!batched && a.size() != 2) return KernelPtr();
  for (size_t axis = 0; axis + 2 < b.size(); ++axis)
    if (b[axis] != 1) return KernelPtr();  // one matrix per batch: oneDNN's batched product
  if (context.attrs().get_or<bool>(batched ? "adj_x" : "transpose_a", false)) return KernelPtr();
  const bool transpose_b = context.attrs().get_or<bool>(batched ? "adj_y" : "transpose_b", false);
  GemmWeights weights;
  weights.depth = a.back();
  weights.channels = transpose_b ? b[b.size() - 2] : b.back();
  weights.k_stride = transpose_b ? 1 : weights.channels;
  weights.n_stride = transpose_b ? weights.depth : 1;
  if ((transpose_b ? b.back() : b[b.size() - 2]) != weights.depth) return KernelPtr();
  const int64_t rows = num_elements(a) / weights.depth;
  const double multiply_adds = static_cast<double>(rows) * weights.depth * weights.channels;
  const double weight_elements = static_cast<double>(weights.depth * weights.channels);
  const int threads = onednn::primitive_threads(std::max(multiply_adds, onednn::kWeightStreamWork * weight_elements),
                                                options.threads);
  return make_packed_gemm(context, batched ? "batch_mat_mul_f32_fast" : "mat_mul_f32_fast", rows, weights, threads);
}

}  // namespace leanrt::kernels::fast
