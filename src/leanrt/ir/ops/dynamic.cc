// Shape functions of the data-dependent families: where (Where), nms
// (NonMaxSuppressionV3/V4/V5) and control (Switch, Merge). With constant
// inputs (folding, or a dynamic step at run time) they compute the exact
// shape; otherwise they report kDynamicShape and the node becomes a
// dynamic step.
#include "leanrt/ir/op_table.h"
#include "leanrt/ir/ops/nms_selection.h"

namespace leanrt::ir::ops {
namespace {

Status dynamic(const InferContext& context, const char* why) {
  return make_error(ErrorCode::kDynamicShape, "{}: {}", context.where(), why);
}

}  // namespace

// Where(x): the coordinates [count, rank] (int64) of x's non-zero elements.
Expected<std::vector<ValueType>> infer_where(const InferContext& context) {
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(1));
  const Value& x = context.input(0);
  if (!x.is_constant()) return dynamic(context, "the number of true elements is known only at run time");
  const int64_t count = num_elements(x.shape);
  const size_t element_bytes = dtype_size(x.dtype);
  int64_t nonzero = 0;
  for (int64_t i = 0; i < count; ++i) {
    const std::byte* element = x.constant->data + i * static_cast<int64_t>(element_bytes);
    bool any = false;
    for (size_t b = 0; b < element_bytes; ++b) any = any || element[b] != std::byte{0};
    if (x.dtype == DType::kF32) any = *reinterpret_cast<const float*>(element) != 0.0f;  // -0.0 is false
    nonzero += any;
  }
  return std::vector<ValueType>{{DType::kI64, {nonzero, static_cast<int64_t>(x.shape.size())}}};
}

// NonMaxSuppressionV3(boxes, scores, max_output_size, iou_threshold,
// score_threshold) -> selected_indices; V4 adds pad_to_max_output_size and
// valid_outputs; V5 adds soft_nms_sigma and selected_scores.
Expected<std::vector<ValueType>> infer_nms(const InferContext& context) {
  const std::string& op = context.node().op;
  const int expected_inputs = op == "NonMaxSuppressionV5" ? 6 : 5;
  LEANRT_RETURN_IF_ERROR(context.expect_inputs(expected_inputs));
  const Shape& boxes = context.shape(0);
  if (boxes.size() != 2 || boxes[1] != 4 || context.shape(1) != Shape{boxes[0]})
    return context.error("boxes {} and scores {}: expected [N, 4] and [N]", shape_string(boxes),
                         shape_string(context.shape(1)));
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> max_outputs, context.const_ints(2));
  if (max_outputs.size() != 1 || max_outputs[0] < 0)
    return context.error("max_output_size: expected one non-negative value");
  const bool padded = op != "NonMaxSuppressionV3" && context.attrs().get_or<bool>("pad_to_max_output_size", false);
  int64_t selected = max_outputs[0];
  if (!padded) {
    for (int i = 0; i < expected_inputs; ++i)
      if (i != 2 && !context.input(i).is_constant())
        return dynamic(context, "the number of selected boxes is known only at run time");
    LEANRT_ASSIGN_OR_RETURN(std::vector<double> iou, context.const_floats(3));
    LEANRT_ASSIGN_OR_RETURN(std::vector<double> score, context.const_floats(4));
    double sigma = 0.0;
    if (op == "NonMaxSuppressionV5") {
      LEANRT_ASSIGN_OR_RETURN(std::vector<double> sigmas, context.const_floats(5));
      sigma = sigmas.at(0);
    }
    selected = static_cast<int64_t>(select_boxes_nms(context.input(0).constant->as<float>(),
                                                     context.input(1).constant->as<float>(), boxes[0], max_outputs[0],
                                                     static_cast<float>(iou.at(0)), static_cast<float>(score.at(0)),
                                                     static_cast<float>(sigma))
                                        .indices.size());
  }
  std::vector<ValueType> outputs{{DType::kI32, {selected}}};
  if (op == "NonMaxSuppressionV5") outputs.push_back({DType::kF32, {selected}});
  if (op != "NonMaxSuppressionV3") outputs.push_back({DType::kI32, {}});
  return outputs;
}

// Switch(data, pred) -> (output_false, output_true); Merge(inputs...) ->
// (output, value_index). Which side is live is a run-time fact unless the
// predicate is constant (then passes fold the dead side away).
Expected<std::vector<ValueType>> infer_control(const InferContext& context) {
  if (context.node().op == "Switch") {
    LEANRT_RETURN_IF_ERROR(context.expect_inputs(2));
    return std::vector<ValueType>{{context.dtype(0), context.shape(0)}, {context.dtype(0), context.shape(0)}};
  }
  if (context.num_inputs() < 1) return context.error("expected at least 1 input, found 0");
  int live = -1;
  for (int i = 0; i < context.num_inputs(); ++i) {
    if (context.input(i).dead) continue;
    if (live >= 0 && context.shape(i) != context.shape(live))
      return dynamic(context, "the inputs have different shapes; which one arrives is known only at run time");
    if (live < 0) live = i;
  }
  if (live < 0) return context.error("every input is dead");
  return std::vector<ValueType>{{context.dtype(live), context.shape(live)}, {DType::kI32, {}}};
}

}  // namespace leanrt::ir::ops
