#include "kernels/fast_vs_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace leanrt::testing {

std::string CompareResult::summary() const {
  return fmt::format("compiled={} error=\"{}\" max_error={} tolerance={} kernels=[{}]", compiled, error, max_error,
                     tolerance, fmt::join(kernels, ", "));
}

bool CompareResult::used(const std::string& kernel_suffix) const {
  for (const std::string& kernel : kernels)
    if (kernel.size() >= kernel_suffix.size() &&
        kernel.compare(kernel.size() - kernel_suffix.size(), kernel_suffix.size(), kernel_suffix) == 0)
      return true;
  return false;
}

ir::ValueId GraphCase::input(const std::string& name, const Shape& shape) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> data(static_cast<size_t>(num_elements(shape)));
  for (float& value : data) value = uniform(random_);
  input_data_.push_back(std::move(data));
  return graph_.add_input(name, DType::kF32, shape);
}

ir::ValueId GraphCase::constant(const std::string& name, const Shape& shape, float low, float high) {
  std::uniform_real_distribution<float> uniform(low, high);
  std::vector<float> data(static_cast<size_t>(num_elements(shape)));
  for (float& value : data) value = uniform(random_);
  return graph_.add_constant(name, DType::kF32, shape, ConstBytes::copy_of(data.data(), data.size() * sizeof(float)));
}

ir::ValueId GraphCase::int_constant(const std::string& name, const std::vector<int32_t>& values) {
  return graph_.add_constant(name, DType::kI32, {static_cast<int64_t>(values.size())},
                             ConstBytes::copy_of(values.data(), values.size() * sizeof(int32_t)));
}

ir::ValueId GraphCase::node(const std::string& name, const std::string& op, std::vector<ir::ValueId> inputs,
                            ir::AttrMap attrs, bool output) {
  const ir::NodeId id = graph_.add_node(name, op, std::move(inputs), 1, std::move(attrs));
  const ir::ValueId value = graph_.nodes[id].outputs[0];
  if (output) {
    graph_.outputs.push_back(value);
    graph_.output_names.push_back(graph_.values[value].name);
  }
  return value;
}

namespace {

Expected<std::unique_ptr<runtime::CompiledModel>> compile_graph_and_run(const ir::Graph& graph,
                                                                        const std::vector<std::vector<float>>& inputs,
                                                                        runtime::CompileOptions options) {
  for (ir::ValueId input : graph.inputs) options.input_shapes[graph.values[input].name] = graph.values[input].shape;
  LEANRT_ASSIGN_OR_RETURN(auto model, runtime::CompiledModel::compile(graph, options));
  for (size_t i = 0; i < inputs.size(); ++i) model->set_input(static_cast<int>(i), inputs[i].data());
  LEANRT_RETURN_IF_ERROR(model->run());
  return model;
}

Expected<std::unique_ptr<runtime::CompiledModel>> compile_graph_and_run(const ir::Graph& graph,
                                                                        const std::vector<std::vector<float>>& inputs,
                                                                        kernels::KernelChoice choice, int threads) {
  runtime::CompileOptions options;
  options.kernels.choice = choice;
  options.kernels.threads = threads;
  return compile_graph_and_run(graph, inputs, options);
}

}  // namespace

Expected<std::unique_ptr<runtime::CompiledModel>> GraphCase::compile_and_run(runtime::CompileOptions options) {
  return compile_graph_and_run(graph_, input_data_, std::move(options));
}

CompareResult GraphCase::compare(int threads) {
  CompareResult result;
  auto fast = compile_graph_and_run(graph_, input_data_, kernels::KernelChoice::kAuto, threads);
  auto reference = compile_graph_and_run(graph_, input_data_, kernels::KernelChoice::kReference, threads);
  if (!fast || !reference) {
    result.error = !fast ? "fast: " + fast.status().message() : "reference: " + reference.status().message();
    return result;
  }
  result.compiled = true;
  for (const auto& step : (*fast)->steps()) result.kernels.push_back(step.kernel);
  for (size_t k = 0; k < (*fast)->outputs().size(); ++k) {
    const auto& got = (*fast)->output(static_cast<int>(k));
    const auto& want = (*reference)->output(static_cast<int>(k));
    if (!(got.shape == want.shape) || got.dtype != DType::kF32) {
      result.error = fmt::format("output {}: shapes or dtypes differ", k);
      result.compiled = false;
      return result;
    }
    double largest = 0.0;
    for (int64_t i = 0; i < want.elements(); ++i) largest = std::max(largest, std::fabs(double(want.as<float>()[i])));
    result.tolerance = std::max(result.tolerance, 1e-4 * (1.0 + largest));
    for (int64_t i = 0; i < want.elements(); ++i) {
      const double error = std::fabs(double(got.as<float>()[i]) - double(want.as<float>()[i]));
      result.max_error = std::max(result.max_error, std::isnan(error) ? 1e30 : error);
    }
  }
  return result;
}

Expected<std::vector<float>> GraphCase::run(kernels::KernelChoice choice, int threads) {
  LEANRT_ASSIGN_OR_RETURN(auto model, compile_graph_and_run(graph_, input_data_, choice, threads));
  const auto& output = model->output(0);
  return std::vector<float>(output.as<float>(), output.as<float>() + output.elements());
}

ir::AttrMap window_attrs(int64_t stride, int64_t dilation, const std::string& padding,
                         std::vector<int64_t> explicit_paddings) {
  ir::AttrMap attrs;
  attrs.set("strides", std::vector<int64_t>{1, stride, stride, 1});
  attrs.set("dilations", std::vector<int64_t>{1, dilation, dilation, 1});
  attrs.set("padding", padding);
  if (!explicit_paddings.empty()) attrs.set("explicit_paddings", explicit_paddings);
  attrs.set("data_format", std::string("NHWC"));
  return attrs;
}

void expect_bit_exact(GraphCase& g, const std::string& kernel, const std::string& what) {
  const CompareResult r = g.compare();
  ASSERT_TRUE(r.compiled) << what << ": " << r.summary();
  EXPECT_TRUE(r.used(kernel)) << what << ": " << r.summary();
  auto fast = g.run(kernels::KernelChoice::kAuto);
  auto reference = g.run(kernels::KernelChoice::kReference);
  ASSERT_TRUE(fast && reference) << what;
  ASSERT_EQ(fast->size(), reference->size()) << what;
  size_t first_difference = fast->size();
  for (size_t i = 0; i < fast->size() && first_difference == fast->size(); ++i)
    if (std::memcmp(&(*fast)[i], &(*reference)[i], sizeof(float)) != 0) first_difference = i;
  EXPECT_EQ(first_difference, fast->size())
      << what << ": element " << first_difference << " is " << (*fast)[first_difference] << ", reference "
      << (*reference)[first_difference];
}

void expect_uses_and_matches(GraphCase& g, const std::string& kernel, const std::string& what) {
  CompareResult r = g.compare();
  ASSERT_TRUE(r.compiled) << what << ": " << r.summary();
  EXPECT_TRUE(r.used(kernel)) << what << ": " << r.summary();
  EXPECT_LE(r.max_error, r.tolerance) << what << ": " << r.summary();
}

void expect_same_bits_per_sample(const ir::Graph& batched, int64_t batch, const std::string& kernel) {
  ir::Graph single = batched;
  for (ir::Value& value : single.values)
    if (!value.is_constant() && !value.shape.empty()) value.shape[0] = 1;
  std::vector<float> input(static_cast<size_t>(num_elements(batched.values[batched.inputs[0]].shape)));
  std::mt19937 random(5);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (float& value : input) value = uniform(random);
  runtime::CompileOptions options;
  options.kernels.threads = 2;
  auto all = runtime::CompiledModel::compile(batched, options);
  auto one = runtime::CompiledModel::compile(single, options);
  ASSERT_TRUE(static_cast<bool>(all)) << all.status().message();
  ASSERT_TRUE(static_cast<bool>(one)) << one.status().message();
  ASSERT_EQ((*all)->steps().front().kernel, kernel);
  ASSERT_EQ((*one)->steps().front().kernel, kernel);
  (*all)->set_input(0, input.data());
  ASSERT_TRUE((*all)->run().is_ok());
  const float* all_out = (*all)->output(0).as<const float>();
  const int64_t in_sample = static_cast<int64_t>(input.size()) / batch;
  const int64_t out_sample = (*all)->output(0).elements() / batch;
  for (int64_t n = 0; n < batch; ++n) {
    (*one)->set_input(0, input.data() + n * in_sample);
    ASSERT_TRUE((*one)->run().is_ok());
    EXPECT_EQ(std::memcmp((*one)->output(0).data, all_out + n * out_sample, out_sample * sizeof(float)), 0)
        << "sample " << n;
  }
}

}  // namespace leanrt::testing
