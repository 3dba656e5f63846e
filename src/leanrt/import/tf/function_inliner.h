// Inlines TensorFlow function calls: StatefulPartitionedCall and
// PartitionedCall nodes (attr `f`), and nodes whose op is a library
// function's name, are replaced by the function's body, recursively.
//
//   FunctionInliner inliner(library, registry, "saved_model.pb");
//   LEANRT_RETURN_IF_ERROR(inliner.inline_calls(nodes));
//   std::string output = inliner.resolve("StatefulPartitionedCall:0");
//
// A body node "n" of a call "c" becomes "c/n". Bodies are not in
// topological order and address tensors as "n:out_arg:k" (k within that
// output arg) or by bare argument name; both are rewritten to the flat
// "c/n:index" form, the output arg order coming from the OpDef. The call's
// output k is ret[signature.output_arg[k].name]. Control edges inside bodies
// are dropped: inference needs data edges only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "leanrt/import/tf/op_registry.h"

namespace leanrt::importer {

class FunctionInliner {
 public:
  FunctionInliner(const tfproto::FunctionDefLibrary& library, const OpRegistry& registry, std::string source);

  // Replaces every call among `nodes` (and among the bodies it brings in)
  // and rewrites every reference to a call's outputs.
  Status inline_calls(std::vector<tfproto::NodeDef>& nodes);

  // What a reference to a call output ("c", "c:k") now names; other
  // references come back unchanged.
  std::string resolve(const std::string& reference) const;
  // Inlined calls of the graph given to inline_calls (not nested ones).
  const std::vector<std::string>& top_level_calls() const { return top_level_calls_; }

  bool is_call(const tfproto::NodeDef& node) const;

 private:
  Expected<const tfproto::FunctionDef*> callee(const tfproto::NodeDef& call) const;
  // Appends the body of `call` to `nodes` (with `depth` one deeper).
  Status expand(const tfproto::NodeDef& call, int depth, std::vector<tfproto::NodeDef>& nodes,
                std::vector<int>& depths);

  std::map<std::string, const tfproto::FunctionDef*> functions_;
  const OpRegistry& registry_;
  std::string source_;
  std::map<std::string, std::vector<std::string>> call_outputs_;  // call node -> flat references
  std::vector<std::string> top_level_calls_;
};

}  // namespace leanrt::importer
