// The oneDNN transposed convolution (Conv2DBackpropInput) against the
// reference kernel: strides 1-3, SAME and VALID, result sizes the forward
// conv does not exactly cover (stride remainders), dilation, batch > 1; and
// the non-overlapping form compile rewrites, against the same reference.
#include <gtest/gtest.h>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

struct TransposeCase {
  int64_t batch, height, width, channels, gradient_channels, kernel, stride, dilation;
  std::string padding;
};

TEST(OnednnConvTranspose, MatchesTheReference) {
  const TransposeCase cases[] = {
      {1, 8, 8, 4, 6, 3, 2, 1, "SAME"},   {2, 9, 7, 3, 5, 3, 2, 1, "SAME"},  {1, 16, 16, 8, 8, 2, 2, 1, "VALID"},
      {1, 10, 11, 6, 4, 4, 2, 1, "SAME"}, {1, 13, 13, 2, 3, 3, 3, 1, "VALID"}, {1, 12, 12, 5, 7, 3, 1, 2, "SAME"},
      {3, 5, 5, 16, 17, 1, 1, 1, "SAME"},
  };
  for (const TransposeCase& c : cases) {
    // The gradient has the size a Conv2D of the result would produce.
    const int64_t effective = (c.kernel - 1) * c.dilation + 1;
    auto out_size = [&](int64_t in) {
      return c.padding == "SAME" ? (in + c.stride - 1) / c.stride : (in - effective + c.stride) / c.stride;
    };
    GraphCase g(static_cast<uint32_t>(c.height * 31 + c.channels));
    ir::ValueId sizes = g.int_constant("sizes", {static_cast<int32_t>(c.batch), static_cast<int32_t>(c.height),
                                                 static_cast<int32_t>(c.width), static_cast<int32_t>(c.channels)});
    ir::ValueId filter = g.constant("filter", {c.kernel, c.kernel, c.channels, c.gradient_channels});
    ir::ValueId gradient = g.input("gradient", {c.batch, out_size(c.height), out_size(c.width), c.gradient_channels});
    g.node("deconv", "Conv2DBackpropInput", {sizes, filter, gradient}, window_attrs(c.stride, c.dilation, c.padding));
    CompareResult r = g.compare();
    const std::string what = fmt::format("{}x{}x{} <- {}ch k{} s{} d{} {}", c.height, c.width, c.channels,
                                         c.gradient_channels, c.kernel, c.stride, c.dilation, c.padding);
    ASSERT_TRUE(r.compiled) << what << ": " << r.summary();
    // Windows that do not overlap (kernel = stride, sizes exact) compile as a
    // 1x1 conv and DepthToSpace (passes/deconv_as_depth_to_space.cc).
    const bool as_depth_to_space = c.kernel == c.stride && c.kernel > 1 && c.height % c.stride == 0 &&
                                   c.width % c.stride == 0 && c.dilation == 1;
    EXPECT_TRUE(r.used(as_depth_to_space ? "depth_to_space_f32_fast" : "conv2d_backprop_input_f32_onednn"))
        << what << ": " << r.summary();
    EXPECT_LE(r.max_error, r.tolerance) << what << ": " << r.summary();
  }
}

}  // namespace
}  // namespace leanrt::testing
