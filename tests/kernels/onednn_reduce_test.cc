// The oneDNN reductions against the reference (which sums in double): every
// op, global means over H and W (keep_dims or not), the innermost axis,
// several and negative axes, odd sizes, and which forms oneDNN takes.
#include <gtest/gtest.h>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

struct ReduceCase {
  Shape shape;
  std::vector<int32_t> axes;
  bool keep_dims;
};

TEST(OnednnReduce, MatchesTheReference) {
  const ReduceCase cases[] = {
      {{8, 7, 7, 96}, {1, 2}, false},   {{8, 7, 7, 96}, {1, 2}, true}, {{4, 33, 17}, {-1}, true},
      {{4, 33, 17}, {0, 2}, false},     {{2, 3, 5, 7}, {0, 1, 2, 3}, false}, {{3, 1000}, {1}, false},
      {{1, 9, 9, 1152}, {-3, -2}, true},
  };
  uint32_t seed = 1;
  for (const char* op : {"Sum", "Mean", "Max", "Min", "Prod"})
    for (const ReduceCase& c : cases) {
      GraphCase g(seed++);
      // Prod of many values in [-1, 1) underflows to 0 on both sides: keep
      // its values near 1 so the comparison means something.
      ir::ValueId x = g.input("x", c.shape);
      if (std::string(op) == "Prod") x = g.node("near_one", "Add", {g.node("small", "Mul", {x, g.constant("tenth", {}, 0.01f, 0.01f)}, {}, false), g.constant("one", {}, 1.0f, 1.0f)}, {}, false);
      ir::AttrMap attrs;
      attrs.set("keep_dims", c.keep_dims);
      g.node("r", op, {x, g.int_constant("axes", c.axes)}, attrs);
      CompareResult r = g.compare();
      ASSERT_TRUE(r.compiled) << op << " " << shape_string(c.shape) << ": " << r.summary();
      EXPECT_LE(r.max_error, r.tolerance) << op << " " << shape_string(c.shape) << ": " << r.summary();
    }
}

TEST(OnednnReduce, GlobalAveragePoolRunsOnOnednn) {
  GraphCase g(50);
  ir::ValueId x = g.input("x", {8, 7, 7, 96});
  ir::AttrMap attrs;
  attrs.set("keep_dims", false);
  g.node("mean", "Mean", {x, g.int_constant("axes", {1, 2})}, attrs);
  CompareResult r = g.compare();
  ASSERT_TRUE(r.compiled) << r.summary();
  EXPECT_TRUE(r.used("mean_f32_onednn")) << r.summary();
  EXPECT_LE(r.max_error, r.tolerance) << r.summary();
}

}  // namespace
}  // namespace leanrt::testing
