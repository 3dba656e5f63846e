// leanrt's direct convolution (kernels/fast/direct_conv.cc) against the
// reference kernels: windows whose border pixels read padding on every side
// (the rectangles of equal taps, and the mixed tiles that gather what is left
// of them with zeros for the padding), windows wholly in the padding,
// dilation in width (a segment per tap), strides, explicit asymmetric pads,
// channel counts that leave partial panels and more than four panels, fused
// tails with a residual read in place, an output large enough to be
// streamed, and the same bits for a sample whatever the batch it runs in.
// Random shapes and every fused tail are also in onednn_conv_test, which
// expects this kernel for the dense windows it takes.
#include <gtest/gtest.h>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

constexpr char kDirect[] = "conv2d_f32_direct";

bool have_avx512() { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"); }

struct Case {
  int64_t batch, height, width, in_channels, out_channels, kernel_h, kernel_w, stride, dilation;
  std::string padding;
  std::vector<int64_t> explicit_paddings = {};
};

std::string describe(const Case& c) {
  return fmt::format("n{} {}x{}x{} -> {} k{}x{} s{} d{} {}{}", c.batch, c.height, c.width, c.in_channels,
                     c.out_channels, c.kernel_h, c.kernel_w, c.stride, c.dilation, c.padding,
                     c.explicit_paddings.empty() ? "" : fmt::format(" {}", fmt::join(c.explicit_paddings, ",")));
}

ir::ValueId conv(GraphCase& g, ir::ValueId x, const Case& c, bool output = true) {
  ir::ValueId w = g.constant("w", {c.kernel_h, c.kernel_w, c.in_channels, c.out_channels});
  return g.node("conv", "Conv2D", {x, w}, window_attrs(c.stride, c.dilation, c.padding, c.explicit_paddings), output);
}

void expect_matches(GraphCase& g, const std::string& what) { expect_uses_and_matches(g, kDirect, what); }

TEST(DirectConv, BordersStridesDilationsAndPanels) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: convolutions run on oneDNN";
  const Case cases[] = {
      // 7x7 at batch 1: rectangles of 25, 5 and 1 pixels, most of them mixed.
      {1, 7, 7, 16, 32, 3, 3, 1, 1, "SAME"},
      // At batch 3 every rectangle has whole tiles and a remainder.
      {3, 7, 7, 16, 40, 3, 3, 1, 1, "SAME"},
      {2, 12, 10, 3, 24, 5, 5, 1, 1, "SAME"},   // a first layer: 3 channels, 2-deep borders
      {1, 9, 11, 17, 33, 3, 3, 2, 1, "SAME"},
      {2, 13, 13, 8, 130, 3, 3, 1, 1, "VALID"},  // no border; 5 panels, the last partial
      {1, 12, 12, 8, 12, 3, 3, 1, 2, "SAME"},   // dilated: a segment per tap
      {1, 15, 15, 6, 10, 3, 3, 1, 3, "VALID"},
      {1, 10, 9, 5, 6, 1, 3, 3, 1, "SAME"},
      {1, 1, 1, 4, 4, 3, 3, 1, 1, "SAME"},      // one pixel: only the centre tap is inside
      {2, 6, 6, 32, 64, 3, 3, 1, 1, "SAME"},
      {1, 17, 17, 33, 1, 2, 2, 2, 1, "VALID"},
      {1, 6, 6, 8, 16, 1, 1, 2, 1, "VALID"},    // strided 1x1: not pointwise
      {1, 10, 10, 5, 6, 3, 3, 2, 1, "EXPLICIT", {0, 0, 1, 2, 2, 0, 0, 0}},
      {1, 4, 4, 8, 16, 1, 1, 1, 1, "EXPLICIT", {0, 0, 1, 1, 1, 1, 0, 0}},  // padded 1x1
      // Pads wider than the window: the outer pixels' windows are all padding (bias only).
      {2, 3, 3, 4, 20, 2, 2, 1, 1, "EXPLICIT", {0, 0, 3, 3, 3, 2, 0, 0}},
      {1, 20, 3, 7, 9, 7, 1, 1, 1, "SAME"},     // a tall window over a narrow image
  };
  uint32_t seed = 1;
  for (const Case& c : cases) {
    GraphCase g(seed++);
    conv(g, g.input("x", {c.batch, c.height, c.width, c.in_channels}), c);
    expect_matches(g, describe(c));
  }
}

// The fused tails the tiles compute, with a residual added in place (the
// output over the residual's bytes) before or after the activation.
TEST(DirectConv, FusedTailsAndResiduals) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: convolutions run on oneDNN";
  uint32_t seed = 40;
  for (const char* activation : {"Relu", "Relu6", "Sigmoid", "Elu"})
    for (const bool residual : {false, true}) {
      GraphCase g(seed++);
      const Case c{2, 9, 9, 17, 20, 3, 3, 1, 1, "SAME"};
      ir::ValueId y = conv(g, g.input("x", {2, 9, 9, 17}), c, false);
      y = g.node("bias", "BiasAdd", {y, g.constant("b", {20})}, {}, false);
      if (residual) y = g.node("residual", "AddV2", {y, g.node("skip", "Relu", {g.input("r", {2, 9, 9, 20})}, {}, false)}, {}, false);
      g.node("act", activation, {y});
      expect_matches(g, fmt::format("{}{}", activation, residual ? " + residual" : ""));
    }
}

// 16 MiB of output and more is written past the caches (streamed, or
// prefetched for writing when a residual is read from the same place).
TEST(DirectConv, LargeOutputs) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: convolutions run on oneDNN";
  uint32_t seed = 60;
  for (const bool residual : {false, true}) {
    GraphCase g(seed++);
    const Case c{4, 64, 64, 8, 256, 3, 3, 1, 1, "SAME"};  // [4, 64, 64, 256]: 16 MiB
    ir::ValueId y = conv(g, g.input("x", {4, 64, 64, 8}), c, false);
    if (residual) y = g.node("residual", "AddV2", {y, g.node("skip", "Relu", {g.input("r", {4, 64, 64, 256})}, {}, false)}, {}, false);
    g.node("relu", "Relu", {y});
    expect_matches(g, residual ? "large, residual" : "large");
  }
}

// A sample's output bits do not depend on the batch it runs in: at batch 5
// the rectangles' pixels of several images share tiles, and the remainders
// go to mixed tiles; alone, most of a sample's border pixels are mixed.
TEST(DirectConv, SameBitsAtEveryBatchSize) {
  if (!have_avx512()) GTEST_SKIP() << "no AVX-512: convolutions run on oneDNN";
  const int64_t batch = 5;
  GraphCase batched(80);
  const Case c{batch, 7, 6, 19, 45, 3, 3, 1, 1, "SAME"};
  ir::ValueId y = conv(batched, batched.input("x", {batch, 7, 6, 19}), c, false);
  batched.node("relu", "Relu", {batched.node("bias", "BiasAdd", {y, batched.constant("b", {45})}, {}, false)});
  expect_same_bits_per_sample(batched.graph(), batch, kDirect);
}

}  // namespace
}  // namespace leanrt::testing
