#include "leanrt/import/load_model.h"

#include <filesystem>
#include <fstream>

#include "leanrt/import/tfjs/tfjs_importer.h"

namespace leanrt::importer {

std::string_view format_name(ModelFormat format) {
  switch (format) {
    case ModelFormat::kTfjsGraph: return "tfjs-graph";
    case ModelFormat::kTfFrozenGraph: return "tf-frozen-graphdef";
    case ModelFormat::kTfFrozenGraphText: return "tf-frozen-graphdef-text";
    case ModelFormat::kTfSavedModel: return "tf-savedmodel";
    case ModelFormat::kTfCheckpoint: return "tf-checkpoint";
    case ModelFormat::kTflite: return "tflite";
    default: return "unknown";
  }
}

Expected<ModelFormat> detect_format(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::exists(path, error)) return io_error("{}: no such file or directory", path);
  if (fs::is_directory(path, error)) {
    if (fs::exists(fs::path(path) / "saved_model.pb", error)) return ModelFormat::kTfSavedModel;
    return invalid_argument("{}: a directory without saved_model.pb: expected a SavedModel directory or a model file",
                            path);
  }
  const std::string extension = fs::path(path).extension().string();
  if (extension == ".json") return ModelFormat::kTfjsGraph;
  if (extension == ".pbtxt") return ModelFormat::kTfFrozenGraphText;
  if (extension == ".meta") return ModelFormat::kTfCheckpoint;
  if (extension == ".tflite") return ModelFormat::kTflite;
  if (extension == ".pb") return ModelFormat::kTfFrozenGraph;
  // No telling extension: look at the first bytes.
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  in.read(head, sizeof head);
  if (in.gcount() >= 8 && std::string(head + 4, 4) == "TFL3") return ModelFormat::kTflite;
  if (in.gcount() >= 1 && head[0] == '{') return ModelFormat::kTfjsGraph;
  return invalid_argument("{}: cannot tell the model format: expected model.json (TF.js), .pb/.pbtxt (GraphDef), "
                          "a SavedModel directory, .meta (checkpoint) or .tflite",
                          path);
}

Expected<ir::Graph> load_model(const std::string& path, const LoadOptions& options) {
  (void)options;
  LEANRT_ASSIGN_OR_RETURN(ModelFormat format, detect_format(path));
  switch (format) {
    case ModelFormat::kTfjsGraph: return load_tfjs_model(path);
    default:
      return unsupported("{}: {} models are not supported by leanrt yet", path, format_name(format));
  }
}

}  // namespace leanrt::importer
