#include "leanrt/ir/ops/nms_selection.h"

#include <algorithm>
#include <cmath>
#include <queue>

namespace leanrt::ir {
namespace {

float intersection_over_union(const float* boxes, int64_t i, int64_t j) {
  const float* a = boxes + 4 * i;
  const float* b = boxes + 4 * j;
  const float a_ymin = std::min(a[0], a[2]), a_ymax = std::max(a[0], a[2]);
  const float a_xmin = std::min(a[1], a[3]), a_xmax = std::max(a[1], a[3]);
  const float b_ymin = std::min(b[0], b[2]), b_ymax = std::max(b[0], b[2]);
  const float b_xmin = std::min(b[1], b[3]), b_xmax = std::max(b[1], b[3]);
  const float area_a = (a_ymax - a_ymin) * (a_xmax - a_xmin);
  const float area_b = (b_ymax - b_ymin) * (b_xmax - b_xmin);
  if (area_a <= 0 || area_b <= 0) return 0.0f;
  const float height = std::max(std::min(a_ymax, b_ymax) - std::max(a_ymin, b_ymin), 0.0f);
  const float width = std::max(std::min(a_xmax, b_xmax) - std::max(a_xmin, b_xmin), 0.0f);
  const float intersection = height * width;
  return intersection / (area_a + area_b - intersection);
}

struct Candidate {
  int64_t box = 0;
  float score = 0.0f;
  size_t suppress_begin = 0;  // selected boxes before this index were already checked
};

// Highest score first; equal scores: lower box index first.
struct LowerPriority {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.score < b.score || (a.score == b.score && a.box > b.box);
  }
};

}  // namespace

NmsSelection select_boxes_nms(const float* boxes, const float* scores, int64_t count, int64_t max_outputs,
                              float iou_threshold, float score_threshold, float soft_nms_sigma) {
  std::priority_queue<Candidate, std::vector<Candidate>, LowerPriority> queue;
  for (int64_t i = 0; i < count; ++i)
    if (scores[i] > score_threshold) queue.push({i, scores[i], 0});
  const float scale = soft_nms_sigma > 0.0f ? -0.5f / soft_nms_sigma : 0.0f;
  NmsSelection selection;
  while (static_cast<int64_t>(selection.indices.size()) < max_outputs && !queue.empty()) {
    Candidate candidate = queue.top();
    queue.pop();
    const float original_score = candidate.score;
    bool hard_suppressed = false;
    for (int64_t j = static_cast<int64_t>(selection.indices.size()) - 1;
         j >= static_cast<int64_t>(candidate.suppress_begin); --j) {
      const float iou = intersection_over_union(boxes, candidate.box, selection.indices[j]);
      if (iou >= iou_threshold) {
        hard_suppressed = true;
        break;
      }
      candidate.score *= std::exp(scale * iou * iou);
      if (candidate.score <= score_threshold) break;
    }
    candidate.suppress_begin = selection.indices.size();
    if (hard_suppressed) continue;
    if (candidate.score == original_score) {
      selection.indices.push_back(static_cast<int32_t>(candidate.box));
      selection.scores.push_back(candidate.score);
    } else if (candidate.score > score_threshold) {
      queue.push(candidate);  // decayed but still above threshold: compete again
    }
  }
  return selection;
}

}  // namespace leanrt::ir
