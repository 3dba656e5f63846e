// Ops the single-op corpus lacks (TF.js does not implement them, or they
// vanish at import), checked against values worked out from TensorFlow's
// definitions (tensorflow/core/kernels/*), stated per test.
#include <gtest/gtest.h>

#include <cmath>

#include "support/op_runner.h"

namespace leanrt::testing {
namespace {

std::vector<float> run_float(const std::string& op, const TestTensor& x, ir::AttrMap attrs = {}) {
  auto result = run_op(op, {x}, attrs);
  EXPECT_TRUE(result.has_value()) << op << ": " << result.status().message();
  return result ? (*result)[0].values<float>() : std::vector<float>{};
}

TEST(ExtraOps, SoftsignInvRint) {
  const auto x = TestTensor::of<float>({5}, {-2.0f, -0.5f, 0.0f, 3.0f, 2.5f});
  const auto softsign = run_float("Softsign", x);  // x / (1 + |x|)
  const std::vector<float> softsign_want = {-2.0f / 3, -1.0f / 3, 0.0f, 0.75f, 2.5f / 3.5f};
  for (size_t i = 0; i < 5; ++i) EXPECT_NEAR(softsign[i], softsign_want[i], 1e-6f);
  const auto inverse = run_float("Inv", TestTensor::of<float>({3}, {2.0f, -4.0f, 0.5f}));
  EXPECT_EQ(inverse, (std::vector<float>{0.5f, -0.25f, 2.0f}));
  // Rint rounds half to even.
  const auto rint = run_float("Rint", TestTensor::of<float>({6}, {0.5f, 1.5f, 2.5f, -0.5f, -1.7f, 3.2f}));
  EXPECT_EQ(rint, (std::vector<float>{0.0f, 2.0f, 2.0f, -0.0f, -2.0f, 3.0f}));
}

TEST(ExtraOps, TruncateDivRoundsTowardZero) {
  auto result = run_op("TruncateDiv", {TestTensor::of<int32_t>({4}, {7, -7, 7, -7}), TestTensor::of<int32_t>({4}, {2, 2, -2, -2})}, {});
  ASSERT_TRUE(result.has_value()) << result.status().message();
  EXPECT_EQ((*result)[0].values<int32_t>(), (std::vector<int32_t>{3, -3, -3, 3}));
}

TEST(ExtraOps, IdentityLikeOpsPassValuesThrough) {
  const auto x = TestTensor::of<float>({2, 2}, {1.0f, -2.0f, 3.5f, 0.25f});
  for (const char* op : {"Snapshot", "StopGradient", "PreventGradient", "EnsureShape", "PlaceholderWithDefault", "Identity"}) {
    auto result = run_op(op, {x}, {});
    ASSERT_TRUE(result.has_value()) << op << ": " << result.status().message();
    EXPECT_EQ((*result)[0].values<float>(), x.values<float>()) << op;
    EXPECT_EQ((*result)[0].shape, x.shape) << op;
  }
}

TEST(ExtraOps, BatchMatMulV3MatchesExplicitSums) {
  // a [2, 2, 3] x b [2, 3, 2]: out[n, i, j] = sum_k a[n, i, k] * b[n, k, j]
  std::vector<float> a(12), b(12);
  for (int i = 0; i < 12; ++i) {
    a[i] = 0.5f * static_cast<float>(i) - 2.0f;
    b[i] = 1.0f - 0.25f * static_cast<float>(i);
  }
  ir::AttrMap attrs;
  attrs.set("Tout", DType::kF32);
  auto result = run_op("BatchMatMulV3", {TestTensor::of<float>({2, 2, 3}, a), TestTensor::of<float>({2, 3, 2}, b)}, attrs);
  ASSERT_TRUE(result.has_value()) << result.status().message();
  const auto out = (*result)[0].values<float>();
  ASSERT_EQ((*result)[0].shape, (Shape{2, 2, 2}));
  for (int n = 0; n < 2; ++n)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        float sum = 0.0f;
        for (int k = 0; k < 3; ++k) sum += a[n * 6 + i * 3 + k] * b[n * 6 + k * 2 + j];
        EXPECT_FLOAT_EQ(out[n * 4 + i * 2 + j], sum);
      }
}

TEST(ExtraOps, SpaceToDepthIsTheInverseOfDepthToSpace) {
  // TF: out[n, h, w, (by * b + bx) * C + c] = in[n, h * b + by, w * b + bx, c]
  std::vector<float> pixels(16);
  for (int i = 0; i < 16; ++i) pixels[i] = static_cast<float>(i);
  ir::AttrMap attrs;
  attrs.set("block_size", int64_t{2});
  auto result = run_op("SpaceToDepth", {TestTensor::of<float>({1, 4, 4, 1}, pixels)}, attrs);
  ASSERT_TRUE(result.has_value()) << result.status().message();
  EXPECT_EQ((*result)[0].shape, (Shape{1, 2, 2, 4}));
  EXPECT_EQ((*result)[0].values<float>(),
            (std::vector<float>{0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15}));
  auto back = run_op("DepthToSpace", {(*result)[0]}, attrs);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ((*back)[0].values<float>(), pixels);
}

TEST(ExtraOps, FusedBatchNormV2IsTheInferenceFormula) {
  // y = (x - mean) / sqrt(variance + epsilon) * scale + offset, per channel
  const std::vector<float> x = {1.0f, 2.0f, 3.0f, 4.0f, -1.0f, 0.5f};
  const std::vector<float> scale = {2.0f, 0.5f}, offset = {0.1f, -0.2f}, mean = {1.5f, 2.0f}, variance = {4.0f, 0.25f};
  ir::AttrMap attrs;
  attrs.set("epsilon", 0.001f);
  auto result = run_op("FusedBatchNormV2",
                       {TestTensor::of<float>({1, 1, 3, 2}, x), TestTensor::of<float>({2}, scale, true),
                        TestTensor::of<float>({2}, offset, true), TestTensor::of<float>({2}, mean, true),
                        TestTensor::of<float>({2}, variance, true)},
                       attrs);
  ASSERT_TRUE(result.has_value()) << result.status().message();
  const auto y = (*result)[0].values<float>();
  for (int i = 0; i < 6; ++i) {
    const int c = i % 2;
    EXPECT_NEAR(y[i], (x[i] - mean[c]) / std::sqrt(variance[c] + 0.001f) * scale[c] + offset[c], 1e-5f);
  }
}

TEST(ExtraOps, NonMaxSuppressionV4PadsToMaxOutputSize) {
  // Box 1 overlaps box 0 (IoU 0.81 > 0.5) and is suppressed; box 2 is apart.
  const std::vector<float> boxes = {0, 0, 1, 1, 0, 0, 0.9f, 0.9f, 2, 2, 3, 3};
  ir::AttrMap attrs;
  attrs.set("pad_to_max_output_size", true);
  auto result = run_op("NonMaxSuppressionV4",
                       {TestTensor::of<float>({3, 4}, boxes), TestTensor::of<float>({3}, {0.9f, 0.8f, 0.7f}),
                        TestTensor::of<int32_t>({}, {5}, true), TestTensor::of<float>({}, {0.5f}, true),
                        TestTensor::of<float>({}, {0.0f}, true)},
                       attrs, 2);
  ASSERT_TRUE(result.has_value()) << result.status().message();
  EXPECT_EQ((*result)[0].values<int32_t>(), (std::vector<int32_t>{0, 2, 0, 0, 0}));
  EXPECT_EQ((*result)[1].values<int32_t>(), (std::vector<int32_t>{2}));
}

}  // namespace
}  // namespace leanrt::testing
