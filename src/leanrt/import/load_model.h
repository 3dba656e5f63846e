// Loads any supported model file into the IR, detecting its format from the
// path and the file's first bytes.
//
//   LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, importer::load_model("model.json", {}));
#pragma once

#include <string>
#include <vector>

#include "leanrt/ir/graph.h"

namespace leanrt::importer {

enum class ModelFormat { kUnknown, kTfjsGraph, kTfFrozenGraph, kTfFrozenGraphText, kTfSavedModel, kTfCheckpoint, kTflite };

struct LoadOptions {
  std::string tag = "serve";                     // SavedModel MetaGraph tag
  std::string signature = "serving_default";     // SavedModel signature
  // The signature was not chosen by the user: when `tensors` (the names the
  // caller will feed and fetch) are not all in it, the first signature (by
  // name) that has them all is used instead, as TensorFlow Serving resolves
  // a request's named tensors.
  bool signature_is_default = true;
  std::vector<std::string> tensors;
};

// One tensor of a SavedModel signature: its key and the graph tensor it names.
struct SignatureTensor {
  std::string key;   // "x"
  std::string name;  // "serving_default_x:0"
  DType dtype = DType::kInvalid;
  Shape shape;
  bool unknown_rank = false;
};

struct SignatureInfo {
  std::string name;  // "serving_default"
  std::string method_name;
  bool selected = false;  // the one LoadOptions.signature picks
  std::vector<SignatureTensor> inputs, outputs;  // sorted by key
};

std::string_view format_name(ModelFormat format);
Expected<ModelFormat> detect_format(const std::string& path);
Expected<ir::Graph> load_model(const std::string& path, const LoadOptions& options);
// A SavedModel's signatures (of the MetaGraph `options.tag` picks); empty
// for formats without signatures.
Expected<std::vector<SignatureInfo>> list_signatures(const std::string& path, const LoadOptions& options);

}  // namespace leanrt::importer
