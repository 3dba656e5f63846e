// Reference kernel of matmul: MatMul / _FusedMatMul (2-D, transpose_a/b,
// fused BiasAdd + activation) and BatchMatMul V1-V3 (adj_x/adj_y,
// broadcast batch axes).
#include <algorithm>

#include "leanrt/kernels/ref/epilogue.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {
namespace {

struct MatMulGeometry {
  int64_t rows = 0, inner = 0, columns = 0;
  int64_t a_row_stride = 0, a_inner_stride = 0;  // element (i, k) of A at i*row + k*inner
  int64_t b_inner_stride = 0, b_column_stride = 0;
  int64_t a_matrix = 0, b_matrix = 0;  // elements per matrix
};

template <typename T>
void multiply(const MatMulGeometry& g, const T* a, const T* b, T* out) {
  if (g.b_column_stride == 1) {  // B rows contiguous: accumulate rows of B
    for (int64_t i = 0; i < g.rows; ++i) {
      T* out_row = out + i * g.columns;
      std::fill(out_row, out_row + g.columns, T(0));
      for (int64_t k = 0; k < g.inner; ++k) {
        const T a_value = a[i * g.a_row_stride + k * g.a_inner_stride];
        const T* b_row = b + k * g.b_inner_stride;
        for (int64_t j = 0; j < g.columns; ++j) out_row[j] += a_value * b_row[j];
      }
    }
    return;
  }
  for (int64_t i = 0; i < g.rows; ++i)  // B transposed: dot products along k
    for (int64_t j = 0; j < g.columns; ++j) {
      T sum = T(0);
      for (int64_t k = 0; k < g.inner; ++k)
        sum += a[i * g.a_row_stride + k * g.a_inner_stride] * b[k * g.b_inner_stride + j * g.b_column_stride];
      out[i * g.columns + j] = sum;
    }
}

}  // namespace

Expected<KernelPtr> make_matmul(const KernelContext& context) {
  const std::string& op = context.node().op;
  const bool batched = op.starts_with("BatchMatMul");
  const Shape& a = context.input(0).shape;
  const Shape& b = context.input(1).shape;
  const Shape& out = context.output(0).shape;
  const bool transpose_a = context.attrs().get_or<bool>(batched ? "adj_x" : "transpose_a", false);
  const bool transpose_b = context.attrs().get_or<bool>(batched ? "adj_y" : "transpose_b", false);
  const int64_t a_rows = a[a.size() - 2], a_cols = a[a.size() - 1];
  const int64_t b_rows = b[b.size() - 2], b_cols = b[b.size() - 1];
  MatMulGeometry g;
  g.rows = out[out.size() - 2];
  g.columns = out[out.size() - 1];
  g.inner = transpose_a ? a_rows : a_cols;
  g.a_row_stride = transpose_a ? 1 : a_cols;
  g.a_inner_stride = transpose_a ? a_cols : 1;
  g.b_inner_stride = transpose_b ? 1 : b_cols;
  g.b_column_stride = transpose_b ? b_cols : 1;
  g.a_matrix = a_rows * a_cols;
  g.b_matrix = b_rows * b_cols;

  // Offsets of each output matrix's A and B, following batch broadcasting.
  Shape batch(out.begin(), out.end() - 2);
  Shape batch_a(a.begin(), a.end() - 2), batch_b(b.begin(), b.end() - 2);
  std::vector<int64_t> a_offsets, b_offsets;
  BroadcastWalk walk(Dims::from(batch), {Dims::from(batch_a), Dims::from(batch_b)});
  walk.for_each_run([&](int64_t, const int64_t* offsets, int64_t count, const int64_t* steps) {
    for (int64_t i = 0; i < count; ++i) {
      a_offsets.push_back((offsets[0] + i * steps[0]) * g.a_matrix);
      b_offsets.push_back((offsets[1] + i * steps[1]) * g.b_matrix);
    }
  });
  if (a_offsets.empty() && num_elements(batch) == 1) {
    a_offsets.push_back(0);
    b_offsets.push_back(0);
  }
  const DType dtype = context.input(0).dtype;
  Epilogue epilogue;
  if (op == "_FusedMatMul") {
    if (dtype != DType::kF32) return context.unsupported("_FusedMatMul supports float32 only");
    LEANRT_ASSIGN_OR_RETURN(epilogue, Epilogue::parse(context, 2, g.columns));
  }
  return visit_numeric(dtype, [&]<typename T>() -> Expected<KernelPtr> {
    if constexpr (std::is_same_v<T, bool>) {
      return context.unsupported("{} on bool is not supported", op);
    } else {
      return make_kernel(kernel_name(batched ? "BatchMatMul" : "MatMul", dtype),
                         [g, a_offsets, b_offsets, epilogue](const KernelIO& io) {
                           const T* a = io.input(0).as<const T>();
                           const T* b = io.input(1).as<const T>();
                           T* out = io.output(0).as<T>();
                           const int64_t matrix = g.rows * g.columns;
                           for (size_t m = 0; m < a_offsets.size(); ++m)
                             multiply(g, a + a_offsets[m], b + b_offsets[m], out + m * matrix);
                           if constexpr (std::is_same_v<T, float>)
                             epilogue.apply(io, out, static_cast<int64_t>(a_offsets.size()) * g.rows, g.columns);
                           return Status::ok();
                         });
    }
  });
}

}  // namespace leanrt::kernels::ref
