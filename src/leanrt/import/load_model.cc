#include "leanrt/import/load_model.h"

#include <filesystem>
#include <fstream>

#include "leanrt/import/tf/tf_importer.h"
#include "leanrt/import/tflite/tflite_importer.h"
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
    if (fs::exists(fs::path(path) / "saved_model.pb", error) || fs::exists(fs::path(path) / "saved_model.pbtxt", error))
      return ModelFormat::kTfSavedModel;
    return invalid_argument("{}: a directory without saved_model.pb: expected a SavedModel directory or a model file",
                            path);
  }
  const std::string extension = fs::path(path).extension().string();
  if (fs::path(path).filename() == "saved_model.pb" || fs::path(path).filename() == "saved_model.pbtxt")
    return ModelFormat::kTfSavedModel;
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

namespace {

// A SavedModel is named by its directory or by its saved_model.pb.
std::string saved_model_directory(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return path;
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

}  // namespace

Expected<ir::Graph> load_model(const std::string& path, const LoadOptions& options) {
  LEANRT_ASSIGN_OR_RETURN(ModelFormat format, detect_format(path));
  switch (format) {
    case ModelFormat::kTfjsGraph: return load_tfjs_model(path);
    case ModelFormat::kTfFrozenGraph: return load_tf_graphdef(path);
    case ModelFormat::kTfFrozenGraphText: return load_tf_graphdef_text(path);
    case ModelFormat::kTfSavedModel: return load_tf_saved_model(saved_model_directory(path), options);
    case ModelFormat::kTfCheckpoint: return load_tf_checkpoint(path, options);
    case ModelFormat::kTflite: return load_tflite_model(path);
    default:
      return unsupported("{}: {} models are not supported by leanrt yet", path, format_name(format));
  }
}

Expected<std::vector<SignatureInfo>> list_signatures(const std::string& path, const LoadOptions& options) {
  LEANRT_ASSIGN_OR_RETURN(ModelFormat format, detect_format(path));
  if (format != ModelFormat::kTfSavedModel) return std::vector<SignatureInfo>{};
  return list_saved_model_signatures(saved_model_directory(path), options);
}

}  // namespace leanrt::importer
