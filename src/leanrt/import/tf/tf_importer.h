// TensorFlow's own formats, into the same IR as every importer:
//   - frozen GraphDef: binary .pb or text .pbtxt (constants in the graph);
//   - SavedModel: saved_model.pb (or .pbtxt) + variables/ (the MetaGraph
//     whose tag set equals LoadOptions.tag, comma-separated for several, as
//     TensorFlow's loader matches; the signature by name; TF1 variables,
//     resource variables and TF2 object-graph exports with their function
//     library inlined);
//   - TF1 checkpoint: model.meta + model.index / model.data-* (the training
//     graph's prediction is the declared output).
// Variables are used in place from the mapped data shards where their dtype
// and alignment allow.
//
//   LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, importer::load_tf_saved_model("export/1", {}));
#pragma once

#include <string>
#include <vector>

#include "leanrt/import/load_model.h"

namespace leanrt::importer {

Expected<ir::Graph> load_tf_graphdef(const std::string& path);        // binary .pb
Expected<ir::Graph> load_tf_graphdef_text(const std::string& path);   // text .pbtxt
Expected<ir::Graph> load_tf_saved_model(const std::string& directory, const LoadOptions& options);
Expected<ir::Graph> load_tf_checkpoint(const std::string& meta_path, const LoadOptions& options);

// The signatures of the MetaGraph `options.tag` selects, sorted by name.
Expected<std::vector<SignatureInfo>> list_saved_model_signatures(const std::string& directory,
                                                                 const LoadOptions& options);

}  // namespace leanrt::importer
