// What leanrt knows of TensorFlow OpDefs: default attribute values and the
// order of output args.
//
// TF2 exports strip attrs that equal their OpDef default (Conv2D without
// `dilations`, BiasAdd without `data_format`), and function bodies address
// outputs as "node:out_arg:k", so both need the OpDef. A SavedModel or .meta
// carries the OpDefs of every op it uses (MetaInfoDef.stripped_op_list); a
// frozen GraphDef does not, so a small built-in table (builtin_op_defs.cc)
// covers the ops whose defaults matter to inference.
//
//   OpRegistry registry;                              // built-in table
//   registry.add(meta_graph.meta_info_def().stripped_op_list());
//   registry.apply_default_attrs(node);
//   LEANRT_ASSIGN_OR_RETURN(int flat, registry.output_index(node, "batch_mean", 0));
#pragma once

#include <map>
#include <string>

#include "leanrt/base/status.h"
#include "leanrt/import/tf/proto/tf_graph.pb.h"

namespace leanrt::importer {

class OpRegistry {
 public:
  OpRegistry();

  // OpDefs from the model; they take precedence over the built-in table.
  void add(const tfproto::OpList& ops);
  // Library functions can be called as ops: their signatures give the outputs.
  void add_functions(const tfproto::FunctionDefLibrary& library);

  const tfproto::OpDef* find(const std::string& op) const;
  // Sets every attr the node leaves out to its OpDef default.
  void apply_default_attrs(tfproto::NodeDef& node) const;
  // The flat output index of "node:arg:k" (k counts within output arg `arg`).
  // Ops without a known OpDef are taken to have one output arg.
  Expected<int> output_index(const tfproto::NodeDef& node, const std::string& arg, int k) const;

 private:
  std::map<std::string, tfproto::OpDef> ops_;
};

// The built-in OpDefs (text-format OpList), for graphs that carry none.
const tfproto::OpList& builtin_op_defs();

}  // namespace leanrt::importer
