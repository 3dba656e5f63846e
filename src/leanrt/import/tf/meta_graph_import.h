// The import pipeline shared by SavedModels and TF1 checkpoints: a
// MetaGraphDef plus its variables become an IR graph.
//
//   MetaGraphSource input{"saved_model.pb", &meta_graph, signature, &bundle};
//   LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, import_meta_graph(input));
//
// Steps: OpDef defaults; checkpoint keys; feeds and fetches from the
// signature (or, without one, the training graph's prediction); prune;
// cut at the feeds; inline function calls; prune again; variables become
// constants; build the IR. The declared outputs keep the names users know:
// the signature's tensor names, plus its output keys where no node has that
// name.
#pragma once

#include <string>

#include "leanrt/import/tf/proto/tf_graph.pb.h"
#include "leanrt/import/tf/tensor_bundle.h"
#include "leanrt/ir/graph.h"

namespace leanrt::importer {

struct MetaGraphSource {
  std::string source;                               // the file named in messages
  tfproto::MetaGraphDef* meta_graph = nullptr;      // its graph is consumed
  const tfproto::SignatureDef* signature = nullptr;  // null: take the training graph's prediction
  const TensorBundle* bundle = nullptr;              // null: the model has no variables
};

Expected<ir::Graph> import_meta_graph(const MetaGraphSource& input);

}  // namespace leanrt::importer
