// Test support for the fast kernels: build a small graph, compile it twice
// (fast kernels with the fusion passes, and `--kernels reference` as
// imported), run both on the same random inputs and compare every output.
//
//   GraphCase c;
//   ir::ValueId x = c.input("x", {1, 7, 7, 3});
//   ir::ValueId w = c.constant("w", {3, 3, 3, 8});
//   c.node("conv", "Conv2D", {x, w}, attrs);
//   CompareResult r = c.compare();
//   EXPECT_LE(r.max_error, r.tolerance) << r.summary();
#pragma once

#include <random>
#include <string>
#include <vector>

#include "leanrt/ir/graph.h"
#include "leanrt/runtime/compiled_model.h"

namespace leanrt::testing {

struct CompareResult {
  bool compiled = false;
  std::string error;                  // why a compile or run failed
  double max_error = 0.0;             // max |fast - reference| over all outputs
  double tolerance = 0.0;             // 1e-4 * (1 + max |reference|) per output
  std::vector<std::string> kernels;   // the fast model's kernel per step
  std::string summary() const;
  bool used(const std::string& kernel_suffix) const;  // some step's kernel ends with it
};

class GraphCase {
 public:
  explicit GraphCase(uint32_t seed = 1) : random_(seed) {}
  ir::ValueId input(const std::string& name, const Shape& shape);
  // A float32 constant filled with uniform values in [low, high).
  ir::ValueId constant(const std::string& name, const Shape& shape, float low = -1.0f, float high = 1.0f);
  ir::ValueId int_constant(const std::string& name, const std::vector<int32_t>& values);
  // Adds a node with one output and makes it a graph output unless `output`
  // is false; returns the output value.
  ir::ValueId node(const std::string& name, const std::string& op, std::vector<ir::ValueId> inputs,
                   ir::AttrMap attrs = {}, bool output = true);
  ir::Graph& graph() { return graph_; }
  CompareResult compare(int threads = 2);
  // Output 0 of the graph compiled with `choice`, or the error.
  Expected<std::vector<float>> run(kernels::KernelChoice choice, int threads = 2);
  // The graph compiled with `options` (input shapes filled in) and run once.
  Expected<std::unique_ptr<runtime::CompiledModel>> compile_and_run(runtime::CompileOptions options);

 private:
  ir::Graph graph_;
  std::mt19937 random_;
  std::vector<std::vector<float>> input_data_;
};

// Compiles and runs the graph with both kernel choices; the fast one must
// use a kernel ending in `kernel` and reproduce the reference's output bits
// (for fast kernels that compute the reference's expressions).
void expect_bit_exact(GraphCase& g, const std::string& kernel, const std::string& what);

// Compares the graph both ways (GraphCase::compare): it must compile, use a
// kernel ending in `kernel` and match the reference within the tolerance.
void expect_uses_and_matches(GraphCase& g, const std::string& kernel, const std::string& what);

// Runs `batched` (its input 0 holding `batch` samples) once, and a copy of it
// shaped for one sample on each sample alone: both must use `kernel` and
// give every sample the same output bits.
void expect_same_bits_per_sample(const ir::Graph& batched, int64_t batch, const std::string& kernel);

// Attrs of a 2-D window op: strides [1, s, s, 1], dilations, padding.
ir::AttrMap window_attrs(int64_t stride, int64_t dilation, const std::string& padding,
                         std::vector<int64_t> explicit_paddings = {});

}  // namespace leanrt::testing
