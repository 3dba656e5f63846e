#include <cmath>

#include "leanrt/data/convert.h"
#include "leanrt/import/load_model.h"
#include "leanrt/runtime/compiled_model.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

// Where the TF.js-made reference departs from TensorFlow itself, the
// comparison follows TensorFlow; each entry says how and why.
void apply_reference_deviations(const nlohmann::json& manifest_case, Tolerance& tolerance) {
  const std::string op = manifest_case.value("op", "");
  const std::string name = manifest_case.value("name", "");
  // TF.js's floorDiv always returns int32; TF's FloorDiv keeps float32. The
  // floored values are the same numbers.
  if (op == "FloorDiv") tolerance.values_only = true;
  // TF.js 4.22's cpu backend drops leakyrelu_alpha in fused depthwise
  // convolutions and returns NaN for every negative pre-activation; the
  // finite elements are still checked, and LeakyRelu itself has its own cases.
  if (name == "FusedDepthwiseConv2dNative-biasadd-leakyrelu") tolerance.skip_nan_reference = true;
}

}  // namespace

Expected<std::string> run_corpus_case(const std::string& corpus, const nlohmann::json& manifest_case,
                                      const std::string& manifest_dir, kernels::KernelChoice kernels) {
  const std::string base = corpus + "/" + manifest_dir;
  const std::string model_path = base + "/" + manifest_case["model"].get<std::string>();
  // As `leanrt run` does: the default signature unless the case's tensors
  // live in another one (tfs-half-plus-two-cpu-x2 uses regress_x2_to_y3).
  importer::LoadOptions load;
  for (const auto& [name, path] : manifest_case["inputs"].items()) load.tensors.push_back(name);
  for (const auto& [name, path] : manifest_case["outputs"].items()) load.tensors.push_back(name);
  LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, importer::load_model(model_path, load));
  runtime::CompileOptions options;
  options.kernels.choice = kernels;
  std::vector<data::NpyArray> inputs;
  std::vector<std::string> input_names;
  for (const auto& [name, path] : manifest_case["inputs"].items()) {
    LEANRT_ASSIGN_OR_RETURN(data::NpyArray array, data::read_npy(base + "/" + path.get<std::string>()));
    options.input_shapes[name] = array.shape;
    // Scalars (rvm's downsample_ratio) steer control flow: compile for
    // their value, as `leanrt run` does.
    if (array.shape.empty())
      options.input_values[name] = {array.dtype, {}, std::vector<std::byte>(array.data, array.data + array.data_bytes)};
    inputs.push_back(std::move(array));
    input_names.push_back(name);
  }
  for (const auto& [name, path] : manifest_case["outputs"].items()) options.outputs.push_back(name);
  LEANRT_ASSIGN_OR_RETURN(auto compiled, runtime::CompiledModel::compile(std::move(graph), options));
  std::vector<AlignedBuffer> converted;  // inputs whose file dtype differs from the model's
  for (size_t i = 0; i < compiled->inputs().size(); ++i) {
    const runtime::TensorInfo& input = compiled->inputs()[i];
    bool bound = false;
    for (size_t k = 0; k < input_names.size(); ++k) {
      if (input_names[k] != input.name && input_names[k] != input.name + ":0") continue;
      bound = true;
      if (inputs[k].dtype == input.dtype) {
        compiled->set_input(static_cast<int>(i), inputs[k].data);
        continue;
      }
      // TF.js feeds int32 where a graph declares uint8 (it has no uint8);
      // the corpus inputs follow it, so convert as the engine's run does.
      const int64_t count = num_elements(inputs[k].shape);
      if (!data::can_convert(inputs[k].dtype, input.dtype) ||
          data::convert_elements(inputs[k].data, inputs[k].dtype,
                                 converted.emplace_back(static_cast<size_t>(count) * dtype_size(input.dtype)).data(),
                                 input.dtype, count))
        return invalid_argument("input \"{}\": cannot convert {} to {}", input.name, dtype_name(inputs[k].dtype),
                                dtype_name(input.dtype));
      compiled->set_input(static_cast<int>(i), converted.back().data());
    }
    if (!bound) return invalid_argument("case gives no data for model input \"{}\"", input.name);
  }
  LEANRT_RETURN_IF_ERROR(compiled->run());
  std::string failures;
  int index = 0;
  for (const auto& [name, path] : manifest_case["outputs"].items()) {
    LEANRT_ASSIGN_OR_RETURN(data::NpyArray want, data::read_npy(base + "/" + path.get<std::string>()));
    Tolerance tolerance;
    bool informational = false;
    if (manifest_case.contains("tolerances") && manifest_case["tolerances"].contains(name)) {
      const auto& entry = manifest_case["tolerances"][name];
      // A null (NaN) atol means TF.js's wasm backend failed on the case, so
      // the manifest's cpu-vs-wasm term is unknown: use its other term,
      // 1e-5 x the output's largest magnitude (see corpus/README.md).
      tolerance.atol = entry["atol"].is_number() ? entry["atol"].get<double>() : -1.0;
      tolerance.rtol = entry.value("rtol", 0.0);
      informational = entry.value("check", "") == "informational";
    }
    apply_reference_deviations(manifest_case, tolerance);
    if (tolerance.atol < 0) {
      double largest = 0.0;
      for (size_t i = 0; i < want.data_bytes / sizeof(float) && want.dtype == DType::kF32; ++i)
        largest = std::max(largest, static_cast<double>(std::abs(reinterpret_cast<const float*>(want.data)[i])));
      tolerance.atol = 1e-5 * largest;
    }
    const auto& view = compiled->output(index++);
    std::string mismatch = compare_arrays(view.data, view.dtype, view.shape.to_shape(), want, tolerance);
    if (!mismatch.empty() && !informational) failures += (failures.empty() ? "" : "; ") + name + ": " + mismatch;
  }
  return failures;
}

}  // namespace leanrt::testing
