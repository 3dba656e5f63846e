// TF.js graph models: model.json (the GraphDef as protobuf-JSON plus a
// weights manifest) and its .bin shards.
//
//   LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, importer::load_tfjs_model("models/emotion/emotion.json"));
//
// float32 / int32 / bool weights are used in place from the mapped shards
// when they sit wholly inside one shard at an aligned offset; float16-stored
// and uint8/uint16-affine weights are dequantized exactly as TF.js does
// (value = q * scale + min), into memory the graph owns.
#pragma once

#include <string>

#include "leanrt/ir/graph.h"

namespace leanrt::importer {

Expected<ir::Graph> load_tfjs_model(const std::string& model_json_path);

}  // namespace leanrt::importer
