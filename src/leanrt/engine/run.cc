#include <filesystem>

#include "leanrt/base/process_memory.h"
#include "leanrt/data/npy.h"
#include "leanrt/engine/engine.h"

namespace leanrt::engine {

std::string output_file_name(const std::string& tensor_name) {
  std::string name = tensor_name;
  for (char& c : name) {
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
    if (!keep) c = '_';
  }
  return name + ".npy";
}

namespace {

// Matches a user's input name to the model input it means ("x" or "x:0").
std::optional<size_t> find_input(const ir::Graph& graph, const std::string& name) {
  for (size_t i = 0; i < graph.input_names.size(); ++i) {
    const std::string& input = graph.input_names[i];
    if (name == input || name == input + ":0") return i;
  }
  return std::nullopt;
}

std::string input_list(const ir::Graph& graph) {
  std::string text;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const ir::Value& value = graph.values[graph.inputs[i]];
    text += fmt::format("{}{} {} {}", i ? ", " : "", graph.input_names[i], shape_string(value.shape),
                        dtype_name(value.dtype));
  }
  return text;
}

Status prepare_output_dir(const RunRequest& request, const std::vector<std::string>& names) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(request.output_dir, error);
  if (!fs::is_directory(request.output_dir, error))
    return io_error("{}: cannot create the output directory{}", request.output_dir,
                    error ? ": " + error.message() : "");
  const std::string probe = request.output_dir + "/.leanrt-write-test";
  if (FILE* file = std::fopen(probe.c_str(), "w")) {
    std::fclose(file);
    std::remove(probe.c_str());
  } else {
    return io_error("{}: output directory is not writable: {}", request.output_dir, std::strerror(errno));
  }
  for (const std::string& name : names) {
    const std::string path = request.output_dir + "/" + output_file_name(name);
    if (!request.overwrite && fs::exists(path, error))
      return io_error("{}: output already exists (pass --overwrite to replace it)", path);
  }
  return Status::ok();
}

}  // namespace

Expected<RunSummary> run_model(const RunRequest& request) {
  if (request.output_dir.empty()) return invalid_argument("--output-dir: expected a directory, found none");
  LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, importer::load_model(request.model, request.load));

  // Read and check every input before compiling anything.
  std::vector<data::NpyArray> arrays(graph.inputs.size());
  std::vector<bool> given(graph.inputs.size(), false);
  runtime::CompileOptions compile;
  compile.outputs = request.outputs;
  compile.kernels = request.kernels;
  for (const auto& [name, path] : request.inputs) {
    std::optional<size_t> index = find_input(graph, name);
    if (!index && name.empty() && graph.inputs.size() == 1) index = 0;  // a bare path for a single-input model
    if (!index)
      return invalid_argument("{}: unknown input \"{}\": the model's inputs are {}", request.model, name,
                              input_list(graph));
    if (given[*index])
      return invalid_argument("input \"{}\" is given twice", graph.input_names[*index]);
    LEANRT_ASSIGN_OR_RETURN(arrays[*index], data::read_npy(path));
    given[*index] = true;
    const ir::Value& declared = graph.values[graph.inputs[*index]];
    if (arrays[*index].dtype != declared.dtype)
      return invalid_argument("{}: input \"{}\": expected dtype {}, found {}", path, graph.input_names[*index],
                              dtype_name(declared.dtype), dtype_name(arrays[*index].dtype));
    compile.input_shapes[graph.input_names[*index]] = arrays[*index].shape;
  }
  for (size_t i = 0; i < graph.inputs.size(); ++i)
    if (!given[i])
      return invalid_argument("{}: missing input \"{}\" {} {}: pass --input {}=FILE.npy", request.model,
                              graph.input_names[i], shape_string(graph.values[graph.inputs[i]].shape),
                              dtype_name(graph.values[graph.inputs[i]].dtype), graph.input_names[i]);
  LEANRT_ASSIGN_OR_RETURN(auto compiled, runtime::CompiledModel::compile(graph, compile));
  std::vector<std::string> output_names;
  for (const auto& output : compiled->outputs()) output_names.push_back(output.name);
  LEANRT_RETURN_IF_ERROR(prepare_output_dir(request, output_names));

  for (size_t i = 0; i < arrays.size(); ++i) compiled->set_input(static_cast<int>(i), arrays[i].data);
  LEANRT_RETURN_IF_ERROR(compiled->run());

  RunSummary summary;
  summary.samples = arrays.empty() || arrays[0].shape.empty() ? 1 : arrays[0].shape[0];
  for (size_t k = 0; k < compiled->outputs().size(); ++k) {
    const auto& view = compiled->output(static_cast<int>(k));
    const std::string path = request.output_dir + "/" + output_file_name(output_names[k]);
    LEANRT_RETURN_IF_ERROR(data::write_npy(path, view.dtype, view.shape.to_shape(), view.data));
    summary.written.push_back(path);
  }
  summary.arena_bytes = compiled->arena_bytes();
  summary.weights_bytes = compiled->weights_bytes();
  summary.peak_rss_bytes = read_process_memory().peak_rss_bytes;
  return summary;
}

}  // namespace leanrt::engine
