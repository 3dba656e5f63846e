// Einsum equations ("bij,bjk->bik", "...ij->...ji", "ij->"): which label
// each input axis carries, the size of every label, and the output.
#pragma once

#include <string>
#include <vector>

#include "leanrt/base/shape.h"
#include "leanrt/base/status.h"

namespace leanrt::ir {

struct EinsumPlan {
  std::vector<std::vector<int>> input_labels;  // label id per axis of each input
  std::vector<int> output_labels;              // label id per output axis
  std::vector<int64_t> label_sizes;            // by label id (broadcast size for ellipsis labels)
  Shape output_shape;
};

// Parses `equation` against the input shapes (TF's Einsum rules: labels are
// letters, "..." broadcasts, no "->" means every label used once, sorted).
Expected<EinsumPlan> plan_einsum(const std::string& equation, const std::vector<Shape>& inputs);

}  // namespace leanrt::ir
