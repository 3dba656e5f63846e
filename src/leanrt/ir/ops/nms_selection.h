// Non-max suppression as TensorFlow computes it
// (tensorflow/core/kernels/image/non_max_suppression_op.cc): greedy by
// score (ties: lower box index first), hard suppression at IoU >=
// threshold, optional soft-NMS score decay exp(-0.5 * iou^2 / sigma).
// Shared by the shape function (the result's length is data) and the kernel.
#pragma once

#include <cstdint>
#include <vector>

namespace leanrt::ir {

struct NmsSelection {
  std::vector<int32_t> indices;
  std::vector<float> scores;
};

// boxes: [count, 4] corners (y1, x1, y2, x2 in any order), scores: [count].
NmsSelection select_boxes_nms(const float* boxes, const float* scores, int64_t count, int64_t max_outputs,
                              float iou_threshold, float score_threshold, float soft_nms_sigma);

}  // namespace leanrt::ir
