// Loads any supported model file into the IR, detecting its format from the
// path and the file's first bytes.
//
//   LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, importer::load_model("model.json", {}));
#pragma once

#include <string>

#include "leanrt/ir/graph.h"

namespace leanrt::importer {

enum class ModelFormat { kUnknown, kTfjsGraph, kTfFrozenGraph, kTfFrozenGraphText, kTfSavedModel, kTfCheckpoint, kTflite };

struct LoadOptions {
  std::string tag = "serve";                     // SavedModel MetaGraph tag
  std::string signature = "serving_default";     // SavedModel signature
};

std::string_view format_name(ModelFormat format);
Expected<ModelFormat> detect_format(const std::string& path);
Expected<ir::Graph> load_model(const std::string& path, const LoadOptions& options);

}  // namespace leanrt::importer
