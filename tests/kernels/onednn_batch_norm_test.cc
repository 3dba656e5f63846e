// The oneDNN batch norm (FusedBatchNorm V1-V3 in inference form) against the
// reference: NHWC and NCHW, channel counts around the vector width, after a
// Relu as Keras' Conv -> ReLU -> BatchNormalization leaves it, and the forms
// it must leave to the reference (training, computed statistics).
#include <gtest/gtest.h>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

ir::AttrMap batch_norm_attrs(const std::string& format, bool training = false) {
  ir::AttrMap attrs;
  attrs.set("epsilon", 0.001f);
  attrs.set("is_training", training);
  attrs.set("data_format", format);
  return attrs;
}

TEST(OnednnBatchNorm, MatchesTheReference) {
  uint32_t seed = 1;
  for (const char* op : {"FusedBatchNorm", "FusedBatchNormV3"})
    for (const char* format : {"NHWC", "NCHW"})
      for (int64_t channels : {1, 15, 16, 33}) {
        GraphCase g(seed++);
        const Shape shape = std::string(format) == "NHWC" ? Shape{3, 7, 5, channels} : Shape{3, channels, 7, 5};
        ir::ValueId x = g.node("relu", "Relu", {g.input("x", shape)}, {}, false);
        g.node("bn", op,
               {x, g.constant("scale", {channels}, 0.5f, 2.0f), g.constant("offset", {channels}),
                g.constant("mean", {channels}), g.constant("variance", {channels}, 0.1f, 3.0f)},
               batch_norm_attrs(format));
        CompareResult r = g.compare();
        ASSERT_TRUE(r.compiled) << op << " " << format << " " << channels << ": " << r.summary();
        EXPECT_TRUE(r.used("fused_batch_norm_f32_onednn")) << r.summary();
        EXPECT_LE(r.max_error, r.tolerance) << op << " " << format << " " << channels << ": " << r.summary();
      }
}

TEST(OnednnBatchNorm, LeavesTrainingAndComputedStatisticsToTheReference) {
  {
    GraphCase g(40);
    ir::ValueId x = g.input("x", {2, 4, 4, 8});
    g.node("bn", "FusedBatchNormV3",
           {x, g.constant("scale", {8}), g.constant("offset", {8}), g.constant("mean", {8}),
            g.constant("variance", {8}, 0.1f, 1.0f)},
           batch_norm_attrs("NHWC", true));
    CompareResult r = g.compare();
    ASSERT_TRUE(r.compiled) << r.summary();
    EXPECT_FALSE(r.used("fused_batch_norm_f32_onednn")) << r.summary();
    EXPECT_LE(r.max_error, r.tolerance) << r.summary();
  }
  {
    GraphCase g(41);
    ir::ValueId x = g.input("x", {2, 4, 4, 8});
    ir::ValueId mean = g.input("mean", {8});
    g.node("bn", "FusedBatchNormV3",
           {x, g.constant("scale", {8}), g.constant("offset", {8}), mean, g.constant("variance", {8}, 0.1f, 1.0f)},
           batch_norm_attrs("NHWC"));
    CompareResult r = g.compare();
    ASSERT_TRUE(r.compiled) << r.summary();
    EXPECT_FALSE(r.used("fused_batch_norm_f32_onednn")) << r.summary();
    EXPECT_LE(r.max_error, r.tolerance) << r.summary();
  }
}

}  // namespace
}  // namespace leanrt::testing
