// Builds a one-node graph and runs it through the whole engine (passes,
// planner, kernels or dynamic steps), for op tests that do not come from
// the corpus.
#pragma once

#include <string>
#include <vector>

#include "leanrt/ir/graph.h"
#include "leanrt/kernels/kernel.h"

namespace leanrt::testing {

struct TestTensor {
  DType dtype = DType::kF32;
  Shape shape;
  std::vector<std::byte> bytes;
  bool constant = false;  // a graph constant (shape args) instead of a runtime input

  template <typename T>
  static TestTensor of(Shape shape, std::vector<T> values, bool constant = false) {
    TestTensor tensor;
    tensor.dtype = dtype_of<T>();
    tensor.shape = std::move(shape);
    tensor.bytes.resize(values.size() * sizeof(T));
    std::memcpy(tensor.bytes.data(), values.data(), tensor.bytes.size());
    tensor.constant = constant;
    return tensor;
  }
  template <typename T>
  std::vector<T> values() const {
    std::vector<T> result(bytes.size() / sizeof(T));
    std::memcpy(result.data(), bytes.data(), bytes.size());
    return result;
  }
};

// Runs `op` on `inputs`; returns its first `outputs` outputs.
Expected<std::vector<TestTensor>> run_op(const std::string& op, const std::vector<TestTensor>& inputs,
                                         const ir::AttrMap& attrs, int outputs = 1,
                                         const std::vector<std::shared_ptr<const ir::Graph>>& subgraphs = {},
                                         kernels::KernelChoice kernels = kernels::KernelChoice::kReference,
                                         int64_t max_loop_iterations = 1'000'000);

}  // namespace leanrt::testing
