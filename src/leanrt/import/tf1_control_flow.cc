#include "leanrt/import/tf1_control_flow.h"

#include <map>
#include <set>
#include <string_view>

namespace leanrt::importer {
namespace {

bool is_tensor_array_user(std::string_view op) {
  for (std::string_view name : {"TensorArrayReadV3", "TensorArrayWriteV3", "TensorArrayScatterV3",
                                "TensorArrayGatherV3", "TensorArraySizeV3", "TensorArrayConcatV3",
                                "TensorArraySplitV3", "TensorArrayCloseV3"})
    if (op == name) return true;
  return false;
}

struct LoopVariable {
  ir::ValueId initial = ir::kNone;    // outside value entering the loop
  ir::ValueId at_start = ir::kNone;   // Merge output: the value each iteration starts from (cond reads it)
  ir::ValueId in_body = ir::kNone;    // Switch output 1: the value the body reads
  ir::ValueId next = ir::kNone;       // NextIteration input: the body's result
  ir::NodeId exit = ir::kNone;        // Exit node, if the value is used after the loop
};

struct Invariant {
  ir::ValueId outside = ir::kNone;  // Enter(is_constant) input
  ir::ValueId inside = ir::kNone;   // Enter output
};

class LoopStructurer {
 public:
  explicit LoopStructurer(ir::Graph& graph) : graph_(graph), consumers_(graph.consumers()) {}

  Status run() {
    std::map<std::string, std::vector<ir::NodeId>> frames;
    for (size_t n = 0; n < graph_.nodes.size(); ++n)
      if (graph_.nodes[n].op == "Enter")
        frames[graph_.nodes[n].attrs.get_or<std::string>("frame_name", "")].push_back(static_cast<ir::NodeId>(n));
    if (frames.empty()) return Status::ok();
    std::vector<bool> alive(graph_.nodes.size(), true);
    for (const auto& [frame, enters] : frames) LEANRT_RETURN_IF_ERROR(structure(frame, enters, alive));
    alive.resize(graph_.nodes.size(), true);  // While nodes added above stay
    graph_.compact(alive);
    return Status::ok();
  }

 private:
  std::string where(const std::string& frame) const {
    return fmt::format("{}: while loop \"{}\"", graph_.source, frame);
  }

  // Nodes reachable from the frame's Enter nodes before its Exit nodes.
  Status collect_members(const std::string& frame, const std::vector<ir::NodeId>& enters, std::set<ir::NodeId>& members,
                         std::vector<ir::NodeId>& exits) {
    std::vector<ir::NodeId> pending(enters.begin(), enters.end());
    while (!pending.empty()) {
      const ir::NodeId id = pending.back();
      pending.pop_back();
      if (!members.insert(id).second) continue;
      for (ir::ValueId output : graph_.nodes[id].outputs)
        for (ir::NodeId user : consumers_[output]) {
          const ir::Node& node = graph_.nodes[user];
          if (node.op == "Exit") {
            exits.push_back(user);
          } else if (node.op == "Enter" && node.attrs.get_or<std::string>("frame_name", "") != frame) {
            return unsupported("{}: contains the nested loop \"{}\": leanrt does not support nested TF1 loops yet",
                               where(frame), node.attrs.get_or<std::string>("frame_name", ""));
          } else {
            pending.push_back(user);
          }
        }
    }
    return Status::ok();
  }

  ir::NodeId producer_of(ir::ValueId value) const { return graph_.values[value].producer; }

  // The node among `members` with `op` reading `value`, or kNone.
  ir::NodeId member_reading(ir::ValueId value, std::string_view op, const std::set<ir::NodeId>& members) const {
    for (ir::NodeId user : consumers_[value])
      if (graph_.nodes[user].op == op && members.count(user)) return user;
    return ir::kNone;
  }

  ir::ValueId output_of(ir::NodeId node, int index) {
    while (static_cast<int>(graph_.nodes[node].outputs.size()) <= index) graph_.add_output(node);
    consumers_.resize(graph_.values.size());
    return graph_.nodes[node].outputs[index];
  }

  Status structure(const std::string& frame, const std::vector<ir::NodeId>& enters, std::vector<bool>& alive) {
    std::set<ir::NodeId> members;
    std::vector<ir::NodeId> exits;
    LEANRT_RETURN_IF_ERROR(collect_members(frame, enters, members, exits));
    ir::NodeId loop_cond = ir::kNone;
    for (ir::NodeId id : members)
      if (graph_.nodes[id].op == "LoopCond") {
        if (loop_cond != ir::kNone) return invalid_model("{}: has two LoopCond nodes", where(frame));
        loop_cond = id;
      }
    if (loop_cond == ir::kNone) return invalid_model("{}: has no LoopCond node", where(frame));

    std::vector<LoopVariable> variables;
    std::vector<Invariant> invariants;
    for (ir::NodeId enter : enters) {
      const ir::Node& node = graph_.nodes[enter];
      if (node.inputs.size() != 1) return invalid_model("{}: Enter \"{}\" must have one input", where(frame), node.name);
      if (node.attrs.get_or<bool>("is_constant", false)) {
        invariants.push_back({node.inputs[0], output_of(enter, 0)});
        continue;
      }
      const ir::NodeId merge = member_reading(output_of(enter, 0), "Merge", members);
      if (merge == ir::kNone)
        return unsupported("{}: Enter \"{}\" feeds no Merge: this loop shape is not supported", where(frame), node.name);
      LoopVariable variable;
      variable.initial = node.inputs[0];
      variable.at_start = output_of(merge, 0);
      for (ir::ValueId input : graph_.nodes[merge].inputs) {
        const ir::NodeId source = producer_of(input);
        if (source != ir::kNone && graph_.nodes[source].op == "NextIteration") variable.next = graph_.nodes[source].inputs.at(0);
      }
      const ir::NodeId switch_node = member_reading(variable.at_start, "Switch", members);
      if (variable.next == ir::kNone || switch_node == ir::kNone)
        return unsupported("{}: Merge \"{}\" lacks its NextIteration or Switch", where(frame), graph_.nodes[merge].name);
      variable.in_body = output_of(switch_node, 1);
      const ir::ValueId leaving = output_of(switch_node, 0);
      for (ir::NodeId exit : exits)
        if (graph_.nodes[exit].inputs.at(0) == leaving) variable.exit = exit;
      variables.push_back(variable);
    }

    std::vector<ir::ValueId> cond_inputs, body_inputs, body_outputs;
    for (const LoopVariable& variable : variables) {
      cond_inputs.push_back(variable.at_start);
      body_inputs.push_back(variable.in_body);
      body_outputs.push_back(variable.next);
    }
    for (const Invariant& invariant : invariants) {
      cond_inputs.push_back(invariant.inside);
      body_inputs.push_back(invariant.inside);
      body_outputs.push_back(invariant.inside);  // passed through unchanged
    }
    LEANRT_ASSIGN_OR_RETURN(auto cond, extract(frame, members, cond_inputs, {graph_.nodes[loop_cond].inputs.at(0)}, "cond"));
    LEANRT_ASSIGN_OR_RETURN(auto body, extract(frame, members, body_inputs, body_outputs, "body"));

    std::vector<ir::ValueId> while_inputs;
    for (const LoopVariable& variable : variables) while_inputs.push_back(variable.initial);
    for (const Invariant& invariant : invariants) while_inputs.push_back(invariant.outside);
    ir::AttrMap attrs;
    attrs.set("frame_name", frame);
    attrs.set("num_loop_vars", static_cast<int64_t>(variables.size()));
    const ir::NodeId loop =
        graph_.add_node(frame, "While", while_inputs, static_cast<int>(while_inputs.size()), std::move(attrs));
    graph_.nodes[loop].subgraphs = {cond, body};
    consumers_.resize(graph_.values.size());
    // Readers of each Exit now read the While output of the same variable.
    for (size_t i = 0; i < variables.size(); ++i) {
      if (variables[i].exit == ir::kNone) continue;
      reroute(graph_.nodes[variables[i].exit].outputs.at(0), graph_.nodes[loop].outputs[i]);
    }
    for (ir::NodeId id : members) alive[id] = false;
    for (ir::NodeId id : exits) alive[id] = false;
    return Status::ok();
  }

  void reroute(ir::ValueId from, ir::ValueId to) {
    for (ir::Node& node : graph_.nodes)
      for (ir::ValueId& input : node.inputs)
        if (input == from) input = to;
    for (ir::ValueId& output : graph_.outputs)
      if (output == from) output = to;
  }

  // Copies the member nodes `outputs` depend on into a graph whose inputs
  // are `inputs` (values inside the frame).
  Expected<std::shared_ptr<const ir::Graph>> extract(const std::string& frame, const std::set<ir::NodeId>& members,
                                                     const std::vector<ir::ValueId>& inputs,
                                                     const std::vector<ir::ValueId>& outputs, const char* part) {
    auto sub = std::make_shared<ir::Graph>();
    sub->source = graph_.source;
    std::map<ir::ValueId, ir::ValueId> mapped;
    for (ir::ValueId input : inputs) {
      if (mapped.count(input)) continue;  // an invariant listed twice maps once
      mapped[input] = sub->add_input(graph_.values[input].name, graph_.values[input].dtype, graph_.values[input].shape);
    }
    // Backward closure from the outputs, stopping at mapped inputs and constants.
    std::set<ir::NodeId> needed;
    std::vector<ir::ValueId> pending(outputs.begin(), outputs.end());
    while (!pending.empty()) {
      const ir::ValueId value = pending.back();
      pending.pop_back();
      if (mapped.count(value) || graph_.values[value].is_constant()) continue;
      const ir::NodeId producer = producer_of(value);
      if (producer == ir::kNone || !members.count(producer))
        return unsupported("{}: the {} reads \"{}\" from outside the loop without an Enter", where(frame), part,
                           graph_.values[value].name);
      const std::string& op = graph_.nodes[producer].op;
      if (op == "Merge" || op == "Switch" || op == "Enter" || op == "NextIteration" || op == "LoopCond")
        return unsupported("{}: the {} reads \"{}\" ({}) in a way leanrt cannot structure", where(frame), part,
                           graph_.values[value].name, op);
      if (!needed.insert(producer).second) continue;
      for (ir::ValueId input : graph_.nodes[producer].inputs) pending.push_back(input);
    }
    // Copy the nodes (std::set: in the original order), then wire their
    // inputs once every copied output has its new id.
    for (ir::NodeId id : needed) {
      const ir::Node& node = graph_.nodes[id];
      const ir::NodeId copy = sub->add_node(node.name, node.op, {}, static_cast<int>(node.outputs.size()), node.attrs);
      sub->nodes[copy].subgraphs = node.subgraphs;
      for (size_t k = 0; k < node.outputs.size(); ++k) mapped[node.outputs[k]] = sub->nodes[copy].outputs[k];
    }
    size_t copy_index = 0;
    for (ir::NodeId id : needed) {
      for (ir::ValueId input : graph_.nodes[id].inputs) {
        const ir::Value& value = graph_.values[input];
        if (!mapped.count(input)) mapped[input] = sub->add_constant(value.name, value.dtype, value.shape, *value.constant);
        sub->nodes[copy_index].inputs.push_back(mapped.at(input));
      }
      ++copy_index;
    }
    for (ir::ValueId output : outputs) {
      sub->outputs.push_back(mapped.at(output));
      sub->output_names.push_back(graph_.values[output].name);
    }
    LEANRT_RETURN_IF_ERROR(sub->sort_topologically());
    return std::shared_ptr<const ir::Graph>(std::move(sub));
  }

  ir::Graph& graph_;
  std::vector<std::vector<ir::NodeId>> consumers_;
};

}  // namespace

void rewrite_tensor_arrays(ir::Graph& graph) {
  for (ir::Node& node : graph.nodes)
    if (is_tensor_array_user(node.op) && !node.inputs.empty()) node.inputs.erase(node.inputs.begin());
}

Status structure_tf1_loops(ir::Graph& graph) { return LoopStructurer(graph).run(); }

}  // namespace leanrt::importer
