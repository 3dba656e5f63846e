// TFLite builtin operators as TF ops, one function per operator family.
//
//   TfliteOp op{operator_table, code, {"x", "w"}, "y", "model.tflite: operator 0 (ADD)"};
//   LEANRT_RETURN_IF_ERROR(map_builtin_op(op, nodes));
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "leanrt/import/graph_builder.h"
#include "leanrt/import/tflite/schema/tflite_schema_generated.h"

namespace leanrt::importer {

struct TfliteOp {
  const tflite_schema::Operator& table;
  int code = 0;                     // BuiltinOperator
  std::vector<std::string> inputs;  // graph references of the input tensors; "" = absent
  std::string output;               // the node name the op's output takes
  std::string where;                // "model.tflite: operator 3 (ADD)", for messages
};

// Appends the TF nodes computing `op`; the last one is named `op.output`.
Status map_builtin_op(const TfliteOp& op, std::vector<ImportedNode>& nodes);

// "ADD", "CONV_2D", ... or "BUILTIN_<code>" for codes leanrt does not name.
std::string builtin_op_name(int code);

}  // namespace leanrt::importer
