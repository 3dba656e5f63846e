// TensorFlow Lite flatbuffers (.tflite) into the IR, with TF semantics
// (NHWC, TF broadcasting): each builtin operator becomes the TF op(s) that
// compute the same thing.
//
//   LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, importer::load_tflite_model("model.tflite"));
//
// Only the main subgraph is read. Constant tensors are views of the mapped
// file where aligned for their dtype. Inputs without a shape_signature take
// any shape, as TFLite's ResizeInputTensor allows. Quantized tensors are not
// supported yet.
#pragma once

#include <string>

#include "leanrt/ir/graph.h"

namespace leanrt::importer {

Expected<ir::Graph> load_tflite_model(const std::string& path);

}  // namespace leanrt::importer
