// The fast elementwise loops (kernels/fast/elementwise.cc) against the
// reference kernels, bit for bit: they compute the same float expression per
// element, so no tolerance applies. Shapes cover every broadcast form a run
// can take (both operands advancing, either one fixed along the run, both
// strided), size-1 and odd dims, a broadcast first operand, and tensors
// large enough (>= 128 KiB) for the multi-threaded path (the tests run 2
// threads). Special values (NaN, +-inf, -0) go through every op.
#include <gtest/gtest.h>

#include <limits>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

const char* const kBinaryOps[] = {"Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "SquaredDifference"};

std::string snake(const std::string& op) {
  std::string name;
  for (char c : op) {
    if (std::isupper(static_cast<unsigned char>(c)) && !name.empty() && !std::isdigit(static_cast<unsigned char>(name.back())))
      name += '_';
    name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

TEST(FastBinary, EveryBroadcastForm) {
  struct BroadcastCase {
    Shape a, b;
  };
  const BroadcastCase cases[] = {
      {{2, 7, 9, 5}, {2, 7, 9, 5}},     // same shape
      {{2, 7, 9, 5}, {5}},              // per channel
      {{2, 7, 9, 5}, {}},               // scalar
      {{2, 7, 9, 5}, {2, 1, 1, 5}},     // squeeze-excite scale
      {{1, 1, 1, 6}, {3, 4, 5, 6}},     // the first operand broadcast
      {{3, 1}, {1, 4}},                 // both broadcast: an outer product
      {{4, 1, 3}, {4, 5, 1}},           // both strided along the run
      {{2, 3, 1}, {2, 3, 7}},           // the first fixed along the run
      {{1, 96, 96, 24}, {24}},          // large: the multi-threaded path
      {{1, 64, 64, 32}, {1, 64, 64, 32}},
      {{1, 1}, {1, 1}},
      {{0, 3}, {3}},                    // empty
      {{1, 96, 72, 2}, {2}},            // few channels: the tiled pattern, multi-threaded
      {{3}, {2, 5, 7, 3}},              // few channels, the first operand the vector
      {{2, 5, 1, 1, 15}, {1, 15}},      // 15 channels: a period of 75, a short last chunk
      {{1, 1}, {1}},
  };
  uint32_t seed = 1;
  for (const char* op : kBinaryOps)
    for (const BroadcastCase& c : cases) {
      GraphCase g(seed++);
      const ir::ValueId a = g.input("a", c.a);
      const ir::ValueId b = g.input("b", c.b);
      g.node("op", op, {a, b});
      const std::string what = fmt::format("{} {} {}", op, shape_string(c.a), shape_string(c.b));
      if (num_elements(c.a) == 0) continue;  // nothing to compare; compile is checked below
      expect_bit_exact(g, snake(op) + "_f32_fast", what);
    }
}

TEST(FastBinary, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> specials = {nan, inf, -inf, -0.0f, 0.0f, 1.0f, -1.0f, 3e38f};
  uint32_t seed = 100;
  for (const char* op : kBinaryOps) {
    GraphCase g(seed++);
    const ir::ValueId a = g.input("a", {8, 8});
    const ir::ValueId b = g.graph().add_constant(
        "specials", DType::kF32, {8}, ConstBytes::copy_of(specials.data(), specials.size() * sizeof(float)));
    g.node("op", op, {a, b});
    expect_bit_exact(g, snake(op) + "_f32_fast", std::string(op) + " with NaN, inf, -0");
    GraphCase swapped(seed++);
    const ir::ValueId c = swapped.graph().add_constant(
        "specials", DType::kF32, {8}, ConstBytes::copy_of(specials.data(), specials.size() * sizeof(float)));
    swapped.node("op", op, {c, swapped.input("x", {8, 8})});
    expect_bit_exact(swapped, snake(op) + "_f32_fast", std::string(op) + " with NaN, inf, -0 first");
  }
}

TEST(FastBinary, BiasAddNhwcOnly) {
  GraphCase g(200);
  g.node("op", "BiasAdd", {g.input("x", {2, 5, 5, 7}), g.constant("bias", {7})});
  expect_bit_exact(g, "bias_add_f32_fast", "BiasAdd NHWC");
  GraphCase nchw(201);
  ir::AttrMap attrs;
  attrs.set("data_format", std::string("NCHW"));
  nchw.node("op", "BiasAdd", {nchw.input("x", {2, 7, 5, 5}), nchw.constant("bias", {7})}, attrs);
  const CompareResult r = nchw.compare();
  ASSERT_TRUE(r.compiled) << r.summary();
  EXPECT_FALSE(r.used("bias_add_f32_fast")) << "NCHW adds along axis 1: " << r.summary();
  EXPECT_LE(r.max_error, r.tolerance) << r.summary();
}

TEST(FastUnary, EveryOpAndSize) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> specials = {nan, inf, -inf, -0.0f, 0.0f, 5.9f, 6.0f, 6.1f, -3e38f};
  uint32_t seed = 300;
  for (const char* op : {"Relu", "Relu6", "LeakyRelu", "Abs", "Neg", "Square"})
    for (const Shape& shape : {Shape{7}, Shape{2, 33, 17, 3}, Shape{1, 128, 128, 16}}) {
      GraphCase g(seed++);
      ir::AttrMap attrs;
      if (std::string(op) == "LeakyRelu") attrs.set("alpha", 0.3f);
      // Scaled to [-10, 10) so Relu6 clips and LeakyRelu sees both signs.
      ir::ValueId x = g.node("scaled", "Mul", {g.input("x", shape), g.constant("ten", {}, 10.0f, 10.0f)}, {}, false);
      g.node("op", op, {x}, attrs);
      expect_bit_exact(g, snake(op) + "_f32_fast", fmt::format("{} {}", op, shape_string(shape)));
    }
  for (const char* op : {"Relu", "Relu6", "LeakyRelu", "Abs", "Neg", "Square"}) {
    GraphCase g(seed++);
    const ir::ValueId values = g.graph().add_constant(
        "specials", DType::kF32, {9}, ConstBytes::copy_of(specials.data(), specials.size() * sizeof(float)));
    // Add of a zero input keeps the specials out of constant folding.
    g.node("op", op, {g.node("keep", "Add", {values, g.node("zero", "Mul", {g.input("x", {9}), g.constant("z", {}, 0.0f, 0.0f)}, {}, false)}, {}, false)});
    expect_bit_exact(g, snake(op) + "_f32_fast", std::string(op) + " with NaN, inf, -0");
  }
}

}  // namespace
}  // namespace leanrt::testing
