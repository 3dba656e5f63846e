// The matmul kernels against the reference: MatMul with every transpose
// flag, _FusedMatMul tails, BatchMatMul with broadcast batch axes and
// run-time (non-constant) right operands, sizes around the vector width.
// Products with a constant right operand (not a transposed left one) go to
// leanrt's packed GEMM where the CPU has AVX-512 (kernels/fast/
// dense_matmul.cc, more cases in packed_gemm_test), the rest to oneDNN.
#include <gtest/gtest.h>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

bool packed_gemm() { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"); }

TEST(OnednnMatMul, TransposeFlags) {
  uint32_t seed = 1;
  for (const int64_t rows : {1, 7, 32})
    for (const int64_t inner : {1, 15, 64, 65})
      for (const int64_t columns : {1, 16, 17})
        for (const bool transpose_a : {false, true})
          for (const bool transpose_b : {false, true}) {
            GraphCase g(seed++);
            ir::ValueId a = g.input("a", transpose_a ? Shape{inner, rows} : Shape{rows, inner});
            ir::ValueId b = g.constant("b", transpose_b ? Shape{columns, inner} : Shape{inner, columns});
            ir::AttrMap attrs;
            attrs.set("transpose_a", transpose_a);
            attrs.set("transpose_b", transpose_b);
            g.node("mm", "MatMul", {a, b}, attrs);
            CompareResult r = g.compare();
            ASSERT_TRUE(r.compiled) << r.summary();
            EXPECT_TRUE(r.used(!transpose_a && packed_gemm() ? "mat_mul_f32_fast" : "mat_mul_f32_onednn")) << r.summary();
            EXPECT_LE(r.max_error, r.tolerance)
                << rows << "x" << inner << "x" << columns << " ta=" << transpose_a << " tb=" << transpose_b << ": "
                << r.summary();
          }
}

TEST(OnednnMatMul, FusedTails) {
  const std::vector<std::vector<std::string>> tails = {
      {"BiasAdd"}, {"BiasAdd", "Relu"}, {"BiasAdd", "Relu6"}, {"BiasAdd", "Elu"}, {"BiasAdd", "Tanh"},
      {"BiasAdd", "Sigmoid"}, {"BiasAdd", "LeakyRelu"}, {"BiasAdd", "Prelu"}};
  uint32_t seed = 50;
  for (const auto& tail : tails) {
    GraphCase g(seed++);
    ir::ValueId a = g.input("a", {5, 33});
    ir::ValueId b = g.constant("b", {33, 19});
    std::vector<ir::ValueId> inputs = {a, b, g.constant("bias", {19})};
    if (tail.back() == "Prelu") inputs.push_back(g.constant("alpha", {19}, 0.0f, 0.5f));
    ir::AttrMap attrs;
    attrs.set("fused_ops", tail);
    attrs.set("num_args", static_cast<int64_t>(inputs.size() - 2));
    attrs.set("leakyrelu_alpha", 0.1f);
    g.node("fused", "_FusedMatMul", inputs, attrs);
    CompareResult r = g.compare();
    ASSERT_TRUE(r.compiled) << r.summary();
    // The packed GEMM takes every tail here; without it oneDNN leaves Prelu
    // after a matmul to the reference (see kernels/onednn/matmul.cc).
    EXPECT_TRUE(r.used(packed_gemm()                ? "mat_mul_f32_fast"
                       : tail.back() == "Prelu" ? "mat_mul_f32_ref"
                                                : "mat_mul_f32_onednn"))
        << r.summary();
    EXPECT_LE(r.max_error, r.tolerance) << fmt::format("{}", fmt::join(tail, ",")) << ": " << r.summary();
  }
}

TEST(OnednnMatMul, BatchBroadcastAndRuntimeOperands) {
  struct BatchCase {
    Shape a, b;
    bool adj_x, adj_y, constant_b;
  };
  const BatchCase cases[] = {
      {{2, 3, 4}, {2, 4, 5}, false, false, false},  {{2, 3, 4}, {4, 5}, false, false, true},
      {{3, 1, 6, 7}, {1, 2, 7, 3}, false, false, false}, {{2, 7, 6}, {2, 5, 7}, true, true, false},
      {{1, 16, 17}, {1, 17, 16}, false, false, true}, {{4, 2, 8, 8}, {4, 2, 8, 8}, false, true, false},
  };
  uint32_t seed = 80;
  for (const BatchCase& c : cases) {
    GraphCase g(seed++);
    ir::ValueId a = g.input("a", c.a);
    ir::ValueId b = c.constant_b ? g.constant("b", c.b) : g.input("b", c.b);
    ir::AttrMap attrs;
    attrs.set("adj_x", c.adj_x);
    attrs.set("adj_y", c.adj_y);
    g.node("bmm", "BatchMatMulV2", {a, b}, attrs);
    CompareResult r = g.compare();
    ASSERT_TRUE(r.compiled) << r.summary();
    const bool one_matrix = c.constant_b && !c.adj_x && num_elements(c.b) == c.b[c.b.size() - 1] * c.b[c.b.size() - 2];
    EXPECT_TRUE(r.used(one_matrix && packed_gemm() ? "batch_mat_mul_f32_fast" : "batch_mat_mul_f32_onednn")) << r.summary();
    EXPECT_LE(r.max_error, r.tolerance) << shape_string(c.a) << " x " << shape_string(c.b) << ": " << r.summary();
  }
}

}  // namespace
}  // namespace leanrt::testing
