#include "support/op_runner.h"

#include <cstring>

#include "leanrt/runtime/compiled_model.h"

namespace leanrt::testing {

Expected<std::vector<TestTensor>> run_op(const std::string& op, const std::vector<TestTensor>& inputs,
                                         const ir::AttrMap& attrs, int outputs,
                                         const std::vector<std::shared_ptr<const ir::Graph>>& subgraphs,
                                         kernels::KernelChoice kernels, int64_t max_loop_iterations) {
  ir::Graph graph;
  graph.source = "test-graph";
  std::vector<ir::ValueId> node_inputs;
  std::vector<const TestTensor*> runtime_inputs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TestTensor& input = inputs[i];
    const std::string name = "input" + std::to_string(i);
    if (input.constant) {
      node_inputs.push_back(graph.add_constant(name, input.dtype, input.shape,
                                               ConstBytes::copy_of(input.bytes.data(), input.bytes.size())));
    } else {
      node_inputs.push_back(graph.add_input(name, input.dtype, input.shape));
      runtime_inputs.push_back(&input);
    }
  }
  const ir::NodeId node = graph.add_node("node", op, node_inputs, outputs, attrs);
  graph.nodes[node].subgraphs = subgraphs;
  for (int k = 0; k < outputs; ++k) {
    graph.outputs.push_back(graph.nodes[node].outputs[k]);
    graph.output_names.push_back(graph.values[graph.nodes[node].outputs[k]].name);
  }
  runtime::CompileOptions options;
  options.kernels.choice = kernels;
  options.fold.enabled = false;  // test the kernel, not the folder
  options.max_loop_iterations = max_loop_iterations;
  LEANRT_ASSIGN_OR_RETURN(auto compiled, runtime::CompiledModel::compile(std::move(graph), options));
  for (size_t i = 0; i < runtime_inputs.size(); ++i) compiled->set_input(static_cast<int>(i), runtime_inputs[i]->bytes.data());
  LEANRT_RETURN_IF_ERROR(compiled->run());
  std::vector<TestTensor> results;
  for (int k = 0; k < outputs; ++k) {
    const kernels::TensorView& view = compiled->output(k);
    TestTensor result;
    result.dtype = view.dtype;
    result.shape = view.shape.to_shape();
    result.bytes.resize(view.size_bytes());
    if (!result.bytes.empty()) std::memcpy(result.bytes.data(), view.data, result.bytes.size());
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace leanrt::testing
