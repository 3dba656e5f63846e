// The layout passes: cancel_transposes (NCHW graphs converted to NHWC convs
// lose their Transpose pairs) and fold_pad_into_window (a Pad before a conv
// or max pool becomes its explicit padding). Each case checks the steps the
// fast model is left with and, through the fast kernels, the same numbers as
// the graph as built through the reference kernels.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "kernels/fast_vs_reference.h"
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/passes.h"

namespace leanrt::testing {
namespace {

const std::vector<int32_t> kToNhwc = {0, 2, 3, 1};
const std::vector<int32_t> kToNchw = {0, 3, 1, 2};

int count_kernels(const CompareResult& result, const std::string& prefix) {
  return static_cast<int>(std::count_if(result.kernels.begin(), result.kernels.end(),
                                        [&](const std::string& kernel) { return kernel.rfind(prefix, 0) == 0; }));
}

CompareResult compare_and_check(GraphCase& g) {
  CompareResult r = g.compare();
  EXPECT_TRUE(r.compiled) << r.summary();
  EXPECT_LE(r.max_error, r.tolerance) << r.summary();
  return r;
}

// What onnx-tf makes of an NCHW conv: Transpose in, NHWC conv, Transpose out.
ir::ValueId nchw_conv(GraphCase& g, const std::string& name, ir::ValueId x, int64_t in_channels,
                      int64_t out_channels, const std::string& padding = "SAME") {
  ir::ValueId nhwc = g.node(name + "/in", "Transpose", {x, g.int_constant(name + "/p1", kToNhwc)}, {}, false);
  ir::ValueId w = g.constant(name + "/w", {3, 3, in_channels, out_channels});
  ir::ValueId y = g.node(name, "Conv2D", {nhwc, w}, window_attrs(1, 1, padding), false);
  y = g.node(name + "/bias", "BiasAdd", {y, g.constant(name + "/b", {out_channels})}, {}, false);
  return g.node(name + "/out", "Transpose", {y, g.int_constant(name + "/p2", kToNchw)}, {}, false);
}

ir::AttrMap leaky(float alpha) {
  ir::AttrMap attrs;
  attrs.set("alpha", alpha);
  return attrs;
}

TEST(CancelTransposes, ConvertedNchwChainKeepsOnlyTheBoundaryTransposes) {
  GraphCase g(1);
  ir::ValueId x = g.input("x", {2, 4, 9, 9});  // NCHW
  ir::ValueId y = nchw_conv(g, "c1", x, 4, 6);
  y = g.node("act1", "LeakyRelu", {y}, leaky(0.1f), false);
  y = g.node("pad", "Pad", {y, g.int_constant("pads", {0, 0, 0, 0, 1, 1, 1, 1})}, {}, false);
  y = nchw_conv(g, "c2", y, 6, 5, "VALID");
  g.node("act2", "Sigmoid", {y});
  CompareResult r = compare_and_check(g);
  // The input's and the output's layout stay NCHW: one Transpose each.
  EXPECT_EQ(count_kernels(r, "transpose"), 2) << r.summary();
  EXPECT_EQ(count_kernels(r, "pad"), 0) << r.summary();
  // LeakyRelu met its conv again and fused.
  EXPECT_EQ(count_kernels(r, "leaky"), 0) << r.summary();
}

TEST(CancelTransposes, ConcatAndAddOfTransposedBranches) {
  GraphCase g(2);
  ir::ValueId x = g.input("x", {1, 3, 8, 7});
  ir::ValueId a = nchw_conv(g, "a", x, 3, 4);
  ir::ValueId b = nchw_conv(g, "b", x, 3, 4);
  ir::ValueId sum = g.node("sum", "AddV2", {a, b}, {}, false);
  ir::ValueId scaled = g.node("scaled", "Mul", {sum, g.constant("half", {}, 0.5f, 0.5f)}, {}, false);
  ir::ValueId joined = g.node("joined", "ConcatV2", {a, scaled, g.int_constant("axis", {1})}, {}, false);
  g.node("c", "Transpose", {joined, g.int_constant("p", kToNhwc)});  // NHWC output
  CompareResult r = compare_and_check(g);
  EXPECT_EQ(count_kernels(r, "transpose"), 1) << r.summary();
}

TEST(CancelTransposes, NegativeConcatAxisAndPaddingOnEveryAxis) {
  GraphCase g(3);
  ir::ValueId x = g.input("x", {2, 3, 5, 4});
  ir::ValueId a = nchw_conv(g, "a", x, 3, 2);
  ir::ValueId padded = g.node("pad", "Pad", {a, g.int_constant("pads", {1, 0, 0, 2, 1, 0, 3, 1})}, {}, false);
  ir::ValueId b = g.node("relu", "Relu", {padded}, {}, false);
  ir::ValueId joined = g.node("joined", "ConcatV2", {b, b, g.int_constant("axis", {-3})}, {}, false);
  g.node("t", "Transpose", {joined, g.int_constant("p", kToNhwc)});
  compare_and_check(g);
}

TEST(CancelTransposes, ConsecutiveTransposesMergeOrVanish) {
  GraphCase g(4);
  ir::ValueId x = g.input("x", {2, 3, 4, 5});
  ir::ValueId y = g.node("t1", "Transpose", {x, g.int_constant("p1", {0, 2, 3, 1})}, {}, false);
  y = g.node("t2", "Transpose", {y, g.int_constant("p2", {0, 3, 1, 2})}, {}, false);  // identity: gone
  y = g.node("t3", "Transpose", {y, g.int_constant("p3", {1, 0, 3, 2})}, {}, false);
  y = g.node("t4", "Transpose", {y, g.int_constant("p4", {3, 2, 0, 1})}, {}, false);  // merged with t3
  g.node("relu", "Relu", {y});
  CompareResult r = compare_and_check(g);
  EXPECT_EQ(count_kernels(r, "transpose"), 1) << r.summary();
}

TEST(CancelTransposes, LeavesATransposeThatWouldOnlyMultiply) {
  // Sinking the Transpose below both readers would need two.
  GraphCase g(5);
  ir::ValueId x = g.input("x", {1, 2, 3, 4});
  ir::ValueId y = g.node("t", "Transpose", {x, g.int_constant("p", kToNhwc)}, {}, false);
  g.node("relu", "Relu", {y});
  g.node("sigmoid", "Sigmoid", {y});
  CompareResult r = compare_and_check(g);
  EXPECT_EQ(count_kernels(r, "transpose"), 1) << r.summary();
}

TEST(CancelTransposes, BroadcastingOperandPinsTheLayout) {
  // A per-channel NCHW constant [C, 1, 1] broadcasts by position: the
  // Transposes around the Mul must stay.
  GraphCase g(6);
  ir::ValueId x = g.input("x", {1, 3, 4, 4});
  ir::ValueId y = nchw_conv(g, "a", x, 3, 3);
  y = g.node("scale", "Mul", {y, g.constant("s", {3, 1, 1})}, {}, false);
  g.node("t", "Transpose", {y, g.int_constant("p", kToNhwc)});
  compare_and_check(g);
}

TEST(FoldPadIntoWindow, ZeroPadBeforeStridedConv) {
  for (const char* padding : {"VALID", "SAME"}) {
    GraphCase g(10);
    ir::ValueId x = g.input("x", {2, 9, 8, 3});
    ir::ValueId y = g.node("pad", "Pad", {x, g.int_constant("pads", {0, 0, 0, 2, 1, 1, 0, 0})}, {}, false);
    g.node("conv", "Conv2D", {y, g.constant("w", {3, 3, 3, 4})}, window_attrs(2, 1, padding));
    CompareResult r = compare_and_check(g);
    EXPECT_EQ(count_kernels(r, "pad"), 0) << padding << ": " << r.summary();
  }
}

TEST(FoldPadIntoWindow, DepthwiseAndPadV2OfZero) {
  GraphCase g(11);
  ir::ValueId x = g.input("x", {1, 10, 10, 8});
  ir::ValueId y = g.node("pad", "PadV2",
                         {x, g.int_constant("pads", {0, 0, 1, 2, 2, 1, 0, 0}), g.constant("zero", {}, 0.0f, 0.0f)},
                         {}, false);
  g.node("dw", "DepthwiseConv2dNative", {y, g.constant("w", {3, 3, 8, 1})}, window_attrs(2, 1, "VALID"));
  CompareResult r = compare_and_check(g);
  EXPECT_EQ(count_kernels(r, "pad"), 0) << r.summary();
}

TEST(FoldPadIntoWindow, LowestPadBeforeMaxPool) {
  GraphCase g(12);
  ir::ValueId x = g.input("x", {2, 7, 7, 5});
  // tf2onnx/onnx-tf fill with the lowest float (-inf is taken the same way).
  const float lowest = std::numeric_limits<float>::lowest();
  ir::ValueId y = g.node("pad", "PadV2",
                         {x, g.int_constant("pads", {0, 0, 1, 1, 1, 1, 0, 0}), g.constant("fill", {}, lowest, lowest)},
                         {}, false);
  ir::AttrMap attrs = window_attrs(2, 1, "VALID");
  attrs.set("ksize", std::vector<int64_t>{1, 3, 3, 1});
  g.node("pool", "MaxPool", {y}, attrs);
  CompareResult r = compare_and_check(g);
  EXPECT_EQ(count_kernels(r, "pad"), 0) << r.summary();
}

TEST(FoldPadIntoWindow, LeavesPadsAWindowCannotTake) {
  // A non-zero fill, channel padding, and a zero-padded max pool (the zeros
  // could win the max) all keep their Pad.
  {
    GraphCase g(13);
    ir::ValueId x = g.input("x", {1, 6, 6, 2});
    ir::ValueId y = g.node("pad", "PadV2",
                           {x, g.int_constant("pads", {0, 0, 1, 1, 1, 1, 0, 0}), g.constant("one", {}, 1.0f, 1.0f)},
                           {}, false);
    g.node("conv", "Conv2D", {y, g.constant("w", {3, 3, 2, 2})}, window_attrs(1, 1, "VALID"));
    CompareResult r = compare_and_check(g);
    EXPECT_EQ(count_kernels(r, "pad"), 1) << r.summary();
  }
  {
    GraphCase g(14);
    ir::ValueId x = g.input("x", {1, 6, 6, 2});
    ir::ValueId y = g.node("pad", "Pad", {x, g.int_constant("pads", {0, 0, 1, 1, 1, 1, 0, 2})}, {}, false);
    g.node("conv", "Conv2D", {y, g.constant("w", {3, 3, 4, 2})}, window_attrs(1, 1, "VALID"));
    CompareResult r = compare_and_check(g);
    EXPECT_EQ(count_kernels(r, "pad"), 1) << r.summary();
  }
  {
    GraphCase g(15);
    ir::ValueId x = g.input("x", {1, 6, 6, 2});
    ir::ValueId y = g.node("pad", "Pad", {x, g.int_constant("pads", {0, 0, 1, 1, 1, 1, 0, 0})}, {}, false);
    ir::AttrMap attrs = window_attrs(1, 1, "VALID");
    attrs.set("ksize", std::vector<int64_t>{1, 2, 2, 1});
    g.node("pool", "MaxPool", {y}, attrs);
    CompareResult r = compare_and_check(g);
    EXPECT_EQ(count_kernels(r, "pad"), 1) << r.summary();
  }
}

}  // namespace
}  // namespace leanrt::testing
