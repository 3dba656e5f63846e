// Which checkpoint key holds each variable of a graph.
//
// TF1 graphs restore variables with RestoreV2 -> Assign / AssignVariableOp:
// the RestoreV2 `tensor_names` constant names the key of each output. TF2
// SavedModels restore inside functions, so keys come from the object graphs
// instead: the signature's call node passes the variable handles after its
// own inputs; SavedObjectGraph.concrete_functions[f].bound_inputs gives their
// object ids; walking SavedObjectGraph and the checkpoint's
// TrackableObjectGraph together (children with the same local_name) reaches
// the variable's VARIABLE_VALUE attribute and its checkpoint_key. Keys cannot
// be guessed from variable names (Keras RNN cells use "variables/3/...").
//
//   VariableKeys keys = restore_keys(nodes);
//   LEANRT_RETURN_IF_ERROR(add_object_graph_keys(nodes, object_graph, bundle, keys));
//   std::string key = checkpoint_key(keys, variable_node);
#pragma once

#include <map>
#include <string>
#include <vector>

#include "leanrt/import/tf/proto/tf_graph.pb.h"
#include "leanrt/import/tf/tensor_bundle.h"

namespace leanrt::importer {

// Variable node name -> checkpoint key.
using VariableKeys = std::map<std::string, std::string>;

// Keys from the graph's own restore ops.
VariableKeys restore_keys(const std::vector<tfproto::NodeDef>& nodes);

// Adds keys for the handles call nodes capture, from the TF2 object graphs
// (the SavedModel's and the one stored in the bundle). Does nothing for a
// graph without an object graph.
Status add_object_graph_keys(const std::vector<tfproto::NodeDef>& nodes, const tfproto::SavedObjectGraph& object_graph,
                             const TensorBundle& bundle, VariableKeys& keys);

// The key of a variable node: from `keys`, else TF1's convention (a
// VarHandleOp's shared_name, else the node name).
std::string checkpoint_key(const VariableKeys& keys, const tfproto::NodeDef& variable);

}  // namespace leanrt::importer
