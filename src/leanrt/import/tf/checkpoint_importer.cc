// TF1 checkpoints: PREFIX.meta (a MetaGraphDef, usually the training graph)
// and the PREFIX.index / PREFIX.data-* bundle its Saver wrote.
#include "leanrt/import/tf/meta_graph_import.h"
#include "leanrt/import/tf/proto_io.h"
#include "leanrt/import/tf/tf_importer.h"

namespace leanrt::importer {

Expected<ir::Graph> load_tf_checkpoint(const std::string& meta_path, const LoadOptions& options) {
  tfproto::MetaGraphDef meta_graph;
  LEANRT_RETURN_IF_ERROR(parse_binary_proto(meta_path, meta_graph, "MetaGraphDef"));
  std::string prefix = meta_path;
  if (prefix.ends_with(".meta")) prefix.resize(prefix.size() - 5);
  auto bundle = TensorBundle::open(prefix);
  if (!bundle)
    return bundle.status().with_context(fmt::format("{}: the checkpoint's variables ({}.index)", meta_path, prefix));
  // A .meta exported with signatures is used like a SavedModel's; a training
  // graph without one declares its prediction.
  const tfproto::SignatureDef* signature = nullptr;
  auto found = meta_graph.signature_def().find(options.signature);
  if (found != meta_graph.signature_def().end()) signature = &found->second;
  return import_meta_graph({meta_path, &meta_graph, signature, &*bundle});
}

}  // namespace leanrt::importer
