// Reference kernel of einsum (Einsum).
#include "leanrt/ir/ops/einsum_equation.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

// Einsum: every output element sums the product of the inputs over the
// labels that do not appear in the output. Plain index arithmetic.
Expected<KernelPtr> make_einsum(const KernelContext& context) {
  if (context.output(0).dtype != DType::kF32) return context.unsupported("Einsum supports float32 only");
  std::vector<Shape> shapes;
  for (int i = 0; i < context.num_inputs(); ++i) shapes.push_back(context.input(i).shape);
  auto plan = ir::plan_einsum(context.attrs().get_or<std::string>("equation", ""), shapes);
  if (!plan) return plan.status().with_context(context.where());
  const int labels = static_cast<int>(plan->label_sizes.size());
  std::vector<bool> in_output(labels, false);
  for (int label : plan->output_labels) in_output[label] = true;
  std::vector<int> summed;
  for (int label = 0; label < labels; ++label)
    if (!in_output[label]) summed.push_back(label);
  // Per input, the element stride of each label (0 where a broadcast axis
  // has size 1 or the label is absent).
  std::vector<std::vector<int64_t>> strides(shapes.size(), std::vector<int64_t>(labels, 0));
  for (size_t i = 0; i < shapes.size(); ++i) {
    int64_t stride = 1;
    for (int64_t axis = static_cast<int64_t>(shapes[i].size()) - 1; axis >= 0; --axis) {
      const int label = plan->input_labels[i][axis];
      if (shapes[i][axis] != 1) strides[i][label] += stride;
      stride *= shapes[i][axis];
    }
  }
  constexpr int kMaxLabels = 64;
  if (labels > kMaxLabels) return context.unsupported("Einsum with {} labels (max {})", labels, kMaxLabels);
  const std::vector<int64_t> sizes = plan->label_sizes;
  const std::vector<int> output_labels = plan->output_labels;
  return make_kernel("einsum_f32_ref", [=](const KernelIO& io) {
    int64_t index[kMaxLabels] = {};
    const int64_t out_count = io.output(0).elements();
    float* out = io.output(0).as<float>();
    int64_t summed_count = 1;
    for (int label : summed) summed_count *= sizes[label];
    for (int64_t o = 0; o < out_count; ++o) {
      int64_t remaining = o;
      for (int64_t a = static_cast<int64_t>(output_labels.size()) - 1; a >= 0; --a) {
        index[output_labels[a]] = remaining % sizes[output_labels[a]];
        remaining /= sizes[output_labels[a]];
      }
      double total = 0.0;
      for (int64_t s = 0; s < summed_count; ++s) {
        int64_t rest = s;
        for (int64_t a = static_cast<int64_t>(summed.size()) - 1; a >= 0; --a) {
          index[summed[a]] = rest % sizes[summed[a]];
          rest /= sizes[summed[a]];
        }
        double product = 1.0;
        for (size_t i = 0; i < strides.size(); ++i) {
          int64_t offset = 0;
          for (int label = 0; label < labels; ++label) offset += index[label] * strides[i][label];
          product *= io.input(static_cast<int>(i)).as<const float>()[offset];
        }
        total += product;
      }
      out[o] = static_cast<float>(total);
    }
    return Status::ok();
  });
}

}  // namespace leanrt::kernels::ref
