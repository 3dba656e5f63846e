// Cutting a TensorFlow node list down to what some outputs need, and making
// fed tensors graph inputs, before anything is converted to the IR.
//
//   std::vector<Feed> feeds = {{"x:0", tfproto::DT_FLOAT, shape}};
//   prune_to_outputs(nodes, {"y:0"}, feeds);
//   LEANRT_ASSIGN_OR_RETURN(auto input_names, cut_at_feeds(nodes, feeds, "saved_model.pb"));
//
// TensorFlow computes only what a fetch needs and lets any tensor be fed,
// whatever op produced it; a SignatureDef relies on both (its input may be an
// Identity of a ParseExample output). Pruning follows data edges only:
// control edges order side effects (variable init, save/restore) that
// inference does not run.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "leanrt/base/status.h"
#include "leanrt/import/tf/proto/tf_graph.pb.h"

namespace leanrt::importer {

struct Feed {
  std::string tensor;  // "node" or "node:k"
  int tf_dtype = 0;    // TensorFlow DataType
  tfproto::TensorShapeProto shape;
};

// Keeps the nodes `outputs` read through data edges, not looking past fed
// tensors; keeps the original order.
void prune_to_outputs(std::vector<tfproto::NodeDef>& nodes, const std::vector<std::string>& outputs,
                      const std::vector<Feed>& feeds);

// Makes every fed tensor the output of a Placeholder. Output 0 of a node no
// longer needed is replaced by a Placeholder of the same name; otherwise a
// new Placeholder takes over the tensor's readers. Returns, for each new
// Placeholder whose name differs from the fed tensor's, the name users give
// (placeholder node name -> "node:k").
Expected<std::map<std::string, std::string>> cut_at_feeds(std::vector<tfproto::NodeDef>& nodes,
                                                          const std::vector<Feed>& feeds, const std::string& source);

// "node:0" -> "node"; other references unchanged. TensorFlow spells a
// node's first output both ways.
std::string canonical_reference(const std::string& reference);

}  // namespace leanrt::importer
