// Where each output row or column of a resize reads from, as TF's
// resize_bilinear_op.cc and resize_nearest_neighbor_op.cc compute it
// (align_corners, half_pixel_centers; coordinates in double, as TF.js does,
// so that exact grid points such as 3 * 2/3 floor to the same pixel). The
// reference and the fast resize kernels both take their tables from here, so
// they read the same pixels with the same weights.
#pragma once

#include <cstdint>
#include <vector>

namespace leanrt::kernels::ref {

// Per output position along one axis: the two source positions, multiplied
// by `step` (elements between neighbours on that axis), and the weight of
// the upper one.
struct BilinearAxis {
  std::vector<int64_t> lower, upper;
  std::vector<float> fraction;
};

BilinearAxis bilinear_axis(int64_t in, int64_t out, bool align_corners, bool half_pixel, int64_t step = 1);

// Per output position: the nearest source position, multiplied by `step`.
std::vector<int64_t> nearest_axis(int64_t in, int64_t out, bool align_corners, bool half_pixel, int64_t step = 1);

}  // namespace leanrt::kernels::ref
