// A TensorFlow NodeDef as the graph builder's ImportedNode: attrs become an
// ir::AttrMap with the TF.js importer's conventions (strings, int64, float,
// bool, DType, ir::ShapeAttr, lists of those), a Const's TensorProto becomes
// constant bytes.
//
//   LEANRT_ASSIGN_OR_RETURN(ImportedNode node, convert_node(std::move(node_def), "model.pb"));
#pragma once

#include <string>

#include "leanrt/import/graph_builder.h"
#include "leanrt/import/tf/freeze_variables.h"
#include "leanrt/import/tf/proto/tf_graph.pb.h"

namespace leanrt::importer {

// Consumes `node` (a Const's tensor_content moves into the result). Errors
// name `source` and the node.
Expected<ImportedNode> convert_node(tfproto::NodeDef&& node, const std::string& source);

// Converts every node (frozen variables take their value from `variables`)
// and builds the IR graph.
Expected<ir::Graph> build_graph_from_nodes(std::vector<tfproto::NodeDef>&& nodes, VariableValues&& variables,
                                           const GraphDeclaration& declaration);

// GraphDefs older than version 22 (and those that lost their `versions`)
// wrote an unknown Placeholder shape as a shape with no dims; TensorFlow
// still reads them so (array_ops.cc, Placeholder's shape function). Marks
// such shapes unknown_rank, so the input takes the shape it is given.
void mark_legacy_unknown_shapes(std::vector<tfproto::NodeDef>& nodes, int graph_producer);

// Graph inputs are named as TensorFlow names the tensors users feed
// ("x:0"), the names signatures and feed dicts use.
void name_inputs_as_tensors(ir::Graph& graph);

// One attr value; nullopt for kinds the IR does not keep (functions,
// tensors, shape lists), which import resolves before this point.
std::optional<ir::AttrValue> convert_attr(const tfproto::AttrValue& value);

}  // namespace leanrt::importer
