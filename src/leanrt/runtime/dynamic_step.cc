#include "leanrt/runtime/dynamic_step.h"

namespace leanrt::runtime {

std::string DynamicStep::name() const { return "dynamic_" + graph_.nodes[node_].op + "_ref"; }

Status DynamicStep::run(const kernels::KernelIO& io) {
  const ir::Node& node = graph_.nodes[node_];
  std::vector<RuntimeValue> inputs;
  for (int i = 0; i < io.num_inputs; ++i) {
    const kernels::TensorView& view = io.input(i);
    // A view: the producing step keeps the bytes alive while this one runs.
    inputs.push_back({ConstBytes{nullptr, view.data, view.size_bytes(), false}, view.dtype, view.shape.to_shape(), view.dead});
  }
  held_.assign(static_cast<size_t>(io.num_outputs), RuntimeValue{});
  LEANRT_ASSIGN_OR_RETURN(std::vector<RuntimeValue> outputs, evaluate_with_values(graph_, node, inputs, limits_));
  for (int k = 0; k < io.num_outputs && k < static_cast<int>(outputs.size()); ++k) {
    held_[k] = std::move(outputs[k]);
    kernels::TensorView& view = io.output(k);
    view.data = const_cast<std::byte*>(held_[k].bytes.data);
    view.dtype = held_[k].dtype;
    view.shape = Dims::from(held_[k].shape);
    view.dead = held_[k].dead;
  }
  return Status::ok();
}

size_t DynamicStep::release(int output) {
  if (output >= static_cast<int>(held_.size())) return 0;
  const size_t bytes = held_[output].held_bytes();
  held_[output] = RuntimeValue{};
  return bytes;
}

size_t DynamicStep::held_bytes() const {
  size_t total = 0;
  for (const RuntimeValue& value : held_) total += value.held_bytes();
  return total;
}

}  // namespace leanrt::runtime
