// Turns a graph's variables into constants read from its checkpoint.
//
//   LEANRT_ASSIGN_OR_RETURN(VariableValues values, freeze_variables(nodes, keys, &bundle, "saved_model.pb"));
//
// VariableV2 / Variable / VarHandleOp nodes become Consts whose bytes are the
// bundle's (views of the mapped data shard where possible); ReadVariableOp
// becomes Identity and ResourceGather a Gather, so the IR never sees a
// resource. Each value is checked against the variable's declared dtype and
// shape.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "leanrt/import/tf/tensor_bundle.h"
#include "leanrt/import/tf/variable_keys.h"

namespace leanrt::importer {

// Frozen variable node name -> its value.
using VariableValues = std::map<std::string, BundleTensor>;

// `bundle` may be null (no variables/ folder): then any variable left is an
// error naming it.
Expected<VariableValues> freeze_variables(std::vector<tfproto::NodeDef>& nodes, const VariableKeys& keys,
                                          const TensorBundle* bundle, const std::string& source);

}  // namespace leanrt::importer
