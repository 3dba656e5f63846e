// The elementwise and pooling kernels of the fast path against the
// reference: every unary op (the transcendental ones on oneDNN's eltwise
// from its primitive threshold of 1024 elements, the piecewise-linear ones
// on kernels/fast/elementwise.cc), sizes around that threshold and the
// vector width, binary ops broadcasting on either side (fast loops), pooling
// windows with SAME/VALID padding, strides and odd sizes.
#include <gtest/gtest.h>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

TEST(OnednnUnary, EveryOp) {
  uint32_t seed = 1;
  for (const char* op : {"Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Exp", "Abs", "Sqrt", "Square", "Neg"})
    for (const Shape& shape : {Shape{1, 1023}, Shape{2, 33, 17, 3}, Shape{4096}}) {
      GraphCase g(seed++);
      ir::ValueId x = g.input("x", shape);
      // Sqrt of negatives is NaN on both sides; compare where it is defined.
      if (std::string(op) == "Sqrt") x = g.node("abs", "Abs", {x}, {}, false);
      ir::AttrMap attrs;
      if (std::string(op) == "LeakyRelu") attrs.set("alpha", 0.15f);
      g.node("y", op, {x}, attrs);
      CompareResult r = g.compare();
      ASSERT_TRUE(r.compiled) << op << ": " << r.summary();
      const std::string name(op);
      const bool transcendental = name == "Elu" || name == "Sigmoid" || name == "Tanh" || name == "Exp" || name == "Sqrt";
      if (!transcendental) {
        EXPECT_TRUE(r.used("_fast")) << op << ": " << r.summary();
      } else if (num_elements(shape) >= 1024) {
        EXPECT_TRUE(r.used("_onednn")) << op << ": " << r.summary();
      }
      EXPECT_LE(r.max_error, r.tolerance) << op << " " << shape_string(shape) << ": " << r.summary();
    }
}

TEST(FastBinary, BroadcastForms) {
  struct BinaryCase {
    const char* op;
    Shape a, b;
    bool constant_b;
  };
  const BinaryCase cases[] = {
      {"AddV2", {2, 16, 16, 8}, {2, 16, 16, 8}, false}, {"Add", {2, 16, 16, 8}, {8}, true},
      {"Mul", {1, 31, 33}, {33}, false},                {"Mul", {33}, {1, 31, 33}, false},
      {"Sub", {4, 20, 20}, {1, 20, 1}, false},          {"RealDiv", {3, 17, 41}, {1}, true},
      {"Maximum", {1, 40, 40}, {1, 40, 40}, false},     {"Minimum", {64, 64}, {64, 1}, true},
      {"Sub", {8}, {2, 16, 8}, false},                  {"BiasAdd", {2, 8, 8, 24}, {24}, true},
  };
  uint32_t seed = 40;
  for (const BinaryCase& c : cases) {
    GraphCase g(seed++);
    ir::ValueId a = g.input("a", c.a);
    ir::ValueId b = c.constant_b ? g.constant("b", c.b, 0.5f, 2.0f) : g.input("b", c.b);
    g.node("y", c.op, {a, b});
    CompareResult r = g.compare();
    ASSERT_TRUE(r.compiled) << c.op << ": " << r.summary();
    EXPECT_TRUE(r.used("_fast")) << c.op << ": " << r.summary();
    EXPECT_LE(r.max_error, r.tolerance) << c.op << " " << shape_string(c.a) << " " << shape_string(c.b) << ": "
                                        << r.summary();
  }
}

TEST(OnednnPool, Windows) {
  struct PoolCase {
    const char* op;
    Shape input;
    int64_t window, stride;
    const char* padding;
  };
  const PoolCase cases[] = {
      {"MaxPool", {1, 8, 8, 16}, 2, 2, "VALID"},  {"MaxPool", {2, 9, 7, 17}, 3, 2, "SAME"},
      {"AvgPool", {1, 9, 9, 3}, 3, 1, "SAME"},    {"AvgPool", {3, 10, 11, 33}, 2, 2, "SAME"},
      {"AvgPool", {1, 7, 7, 64}, 7, 1, "VALID"},  {"MaxPool", {1, 1, 1, 5}, 1, 1, "SAME"},
      {"MaxPool", {2, 13, 13, 8}, 3, 3, "VALID"},
  };
  uint32_t seed = 70;
  for (const PoolCase& c : cases) {
    GraphCase g(seed++);
    ir::ValueId x = g.input("x", c.input);
    ir::AttrMap attrs = window_attrs(c.stride, 1, c.padding);
    attrs.set("ksize", std::vector<int64_t>{1, c.window, c.window, 1});
    g.node("pool", c.op, {x}, attrs);
    CompareResult r = g.compare();
    ASSERT_TRUE(r.compiled) << r.summary();
    EXPECT_TRUE(r.used("pool_f32_onednn")) << r.summary();
    EXPECT_LE(r.max_error, r.tolerance) << c.op << " " << shape_string(c.input) << ": " << r.summary();
  }
}

}  // namespace
}  // namespace leanrt::testing
