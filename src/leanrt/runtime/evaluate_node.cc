#include "leanrt/runtime/compiled_model.h"

#include "leanrt/ir/tensor_list.h"

namespace leanrt::runtime {

Expected<std::vector<ConstBytes>> evaluate_node(const ir::Graph& graph, const ir::Node& node) {
  kernels::KernelContext context(graph, node);
  LEANRT_ASSIGN_OR_RETURN(kernels::KernelPtr kernel, kernels::make_reference_kernel(context));
  std::vector<kernels::TensorView> input_views(node.inputs.size()), output_views(node.outputs.size());
  std::vector<const kernels::TensorView*> input_pointers;
  std::vector<kernels::TensorView*> output_pointers;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const ir::Value& value = graph.values[node.inputs[i]];
    // Shape-only ops (Shape, Size, Rank) never read their input's data.
    input_views[i] = {value.is_constant() ? const_cast<std::byte*>(value.constant->data) : nullptr, value.dtype,
                      Dims::from(value.shape)};
    input_pointers.push_back(&input_views[i]);
  }
  std::vector<ConstBytes> results;
  for (size_t k = 0; k < node.outputs.size(); ++k) {
    const ir::Value& value = graph.values[node.outputs[k]];
    if (value.dtype == DType::kVariant) {
      // A list-valued output: the kernel fills a TensorList made here.
      auto list = std::make_shared<ir::TensorList>();
      results.push_back(ConstBytes{list, reinterpret_cast<const std::byte*>(list.get()), 0, false});
    } else {
      results.push_back(
          ConstBytes::own(AlignedBuffer(static_cast<size_t>(num_elements(value.shape)) * dtype_size(value.dtype))));
    }
    output_views[k] = {const_cast<std::byte*>(results.back().data), value.dtype, Dims::from(value.shape)};
    output_pointers.push_back(&output_views[k]);
  }
  AlignedBuffer scratch(kernel->scratch_bytes());
  kernels::KernelIO io{input_pointers.data(), static_cast<int>(input_pointers.size()), output_pointers.data(),
                       static_cast<int>(output_pointers.size()), scratch.data()};
  LEANRT_RETURN_IF_ERROR(kernel->run(io));
  return results;
}

}  // namespace leanrt::runtime
