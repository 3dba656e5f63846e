#include "leanrt/runtime/compiled_model.h"

#include <malloc.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <unordered_set>

#include "leanrt/base/code_pages.h"
#include "leanrt/ir/op_table.h"
#include "leanrt/runtime/dynamic_step.h"
#include "leanrt/passes/fusion.h"

namespace leanrt::runtime {
namespace {

size_t value_bytes(const ir::Value& value) {
  return static_cast<size_t>(num_elements(value.shape)) * dtype_size(value.dtype);
}

// The axis a ConcatV2 or Pack joins its inputs along, or -1 for other ops.
int joined_axis(const ir::Graph& graph, const ir::Node& node) {
  const int rank = static_cast<int>(graph.values[node.outputs[0]].shape.size());
  int64_t axis = -1;
  if (node.op == "Pack") {
    axis = node.attrs.get_or<int64_t>("axis", 0);
  } else if (node.op == "ConcatV2" && node.inputs.size() >= 2) {
    auto axes = ir::InferContext(graph, node).const_ints(static_cast<int>(node.inputs.size()) - 1);
    if (!axes || axes->size() != 1) return -1;
    axis = (*axes)[0];
  } else {
    return -1;
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// Places `value` at `byte_offset` in the concat output `whole`, and with it
// the tensor it was reshaped from or computed in place over, back along the
// chain while each link dies where the next is written (conv -> Reshape ->
// ConcatV2 in a detection head: the conv writes into the concat output).
void request_slice_chain(const ir::Graph& graph, ir::ValueId value, int whole, size_t byte_offset,
                         const std::vector<int>& tensor_of, const std::vector<int>& last_use,
                         plan::PlanInput& request) {
  for (size_t depth = 0; depth < graph.nodes.size(); ++depth) {
    request.shares.push_back({tensor_of[value], whole, plan::ShareKind::kSlice, byte_offset});
    const ir::NodeId producer = graph.values[value].producer;
    const ir::Node& node = graph.nodes[producer];
    const ir::OpInfo* op = ir::find_op(node.op);
    if (op == nullptr || !(op->traits & (ir::kAlias | ir::kInPlace)) || node.inputs.empty() || node.outputs.size() != 1)
      return;
    const ir::ValueId source = node.inputs[0];
    if (tensor_of[source] < 0 || last_use[source] != producer ||
        value_bytes(graph.values[source]) != value_bytes(graph.values[value]) ||
        std::count(node.inputs.begin(), node.inputs.end(), source) != 1)
      return;
    value = source;
  }
}

// A ConcatV2 or Pack whose axes before the joined one all have size 1 lays
// its inputs end to end in its output. Each input computed at an earlier
// step and read by nothing after the concat is then computed in its place
// in the output (a planner slice), and the concat kernel skips it.
void request_concat_slices(const ir::Graph& graph, int step, const std::vector<int>& tensor_of,
                           const std::vector<int>& last_use, plan::PlanInput& request) {
  const ir::Node& node = graph.nodes[step];
  if (node.outputs.size() != 1 || tensor_of[node.outputs[0]] < 0) return;
  const int axis = joined_axis(graph, node);
  if (axis < 0) return;
  const Shape& output_shape = graph.values[node.outputs[0]].shape;
  for (int a = 0; a < axis; ++a)
    if (output_shape[a] != 1) return;
  const size_t values = node.op == "ConcatV2" ? node.inputs.size() - 1 : node.inputs.size();
  size_t byte_offset = 0;
  for (size_t k = 0; k < values; ++k) {
    const ir::ValueId input = node.inputs[k];
    const int input_tensor = tensor_of[input];
    const bool read_once = std::count(node.inputs.begin(), node.inputs.end(), input) == 1;
    if (input_tensor >= 0 && read_once && last_use[input] == step && byte_offset % request.alignment == 0)
      request_slice_chain(graph, input, tensor_of[node.outputs[0]], byte_offset, tensor_of, last_use, request);
    byte_offset += value_bytes(graph.values[input]);
  }
}

Status select_outputs(ir::Graph& graph, const std::vector<std::string>& names) {
  if (names.empty()) return Status::ok();
  std::vector<ir::ValueId> outputs;
  for (const std::string& name : names) {
    auto value = graph.find_value(name);
    if (!value) {
      // "node:k" may name an output no other node reads, so the importer
      // has not made it yet; the shape function checks k later.
      auto colon = name.rfind(':');
      auto node = colon == std::string::npos ? std::nullopt : graph.find_node(name.substr(0, colon));
      int index = -1;
      if (node) std::sscanf(name.c_str() + colon + 1, "%d", &index);
      if (node && index >= 0 && index < 1024) {
        while (static_cast<int>(graph.nodes[*node].outputs.size()) <= index) graph.add_output(*node);
        value = graph.nodes[*node].outputs[index];
      }
    }
    if (!value) {
      std::vector<std::string> declared(graph.output_names.begin(), graph.output_names.end());
      return invalid_argument("{}: unknown output \"{}\": no tensor of that name (declared outputs: {})", graph.source,
                              name, fmt::join(declared, ", "));
    }
    outputs.push_back(*value);
  }
  graph.outputs = std::move(outputs);
  graph.output_names = names;
  return Status::ok();
}

bool is_dynamic(const ir::Node& node, const ir::Graph& graph) {
  for (ir::ValueId output : node.outputs)
    if (graph.values[output].dynamic_shape) return true;
  return false;
}

// ConstBytes::view_of is the only maker of file-mapped bytes, and its owner
// is the MappedFile.
void release_mapped_pages(const ConstBytes& bytes) {
  const auto file = std::static_pointer_cast<const MappedFile>(bytes.owner);
  if (file) file->release_pages(static_cast<size_t>(bytes.data - file->data()), bytes.size_bytes);
}

// Code paged in while making kernels, beyond which compile releases it
// (base/code_pages.h): the compile phase then holds at most this much more
// code than it started with, whatever the number of layers.
constexpr size_t kCompileCodePageBudget = size_t{2} << 20;

// A constant every reader has packed into its own layout (Kernel::
// packed_inputs) is never read again. It is dropped as soon as its last
// reader's kernel is made, so the source and its packed copy coexist for one
// layer at most: owned bytes are freed with the Value (unless the caller's
// graph still holds them: compile from an rvalue graph to avoid that),
// file-mapped pages are released.
class PackedConstantTracker {
 public:
  explicit PackedConstantTracker(const ir::Graph& graph)
      : readers_(graph.values.size(), 0), seen_(graph.values.size(), 0), packers_(graph.values.size(), 0) {
    for (const ir::Node& node : graph.nodes)
      for (ir::ValueId input : node.inputs) ++readers_[input];
    for (ir::ValueId output : graph.outputs) ++readers_[output];  // read by the caller: kept
  }
  void step_made(const ir::Node& node, const kernels::Kernel& kernel, ir::Graph& graph,
                 std::vector<kernels::TensorView>& views) {
    for (int index : kernel.packed_inputs()) ++packers_[node.inputs[index]];
    for (ir::ValueId input : node.inputs) {
      ir::Value& value = graph.values[input];
      if (++seen_[input] != readers_[input] || packers_[input] != readers_[input] || !value.is_constant()) continue;
      if (value.constant->file_mapped) release_mapped_pages(*value.constant);
      else freed_since_trim_ += value.constant->size_bytes;
      value.constant.reset();
      views[input].data = nullptr;
    }
    // glibc keeps freed weights in the heap (its mmap threshold rises after
    // the first large free), where the packed copies made next do not always
    // fit: without returning them as we go, a model whose importer owned its
    // weights (dequantized, decoded) peaked at compile holding both.
    if (freed_since_trim_ >= kTrimEveryBytes) {
      malloc_trim(0);
      freed_since_trim_ = 0;
    }
  }

 private:
  static constexpr size_t kTrimEveryBytes = 256 * 1024;
  std::vector<int> readers_, seen_, packers_;
  size_t freed_since_trim_ = 0;
};

}  // namespace

Expected<std::unique_ptr<CompiledModel>> CompiledModel::compile(const ir::Graph& model,
                                                                const CompileOptions& options) {
  std::unique_ptr<CompiledModel> compiled(new CompiledModel());
  LEANRT_RETURN_IF_ERROR(compiled->build(model, options));
  return compiled;
}

Expected<std::unique_ptr<CompiledModel>> CompiledModel::compile(ir::Graph&& model, const CompileOptions& options) {
  std::unique_ptr<CompiledModel> compiled(new CompiledModel());
  LEANRT_RETURN_IF_ERROR(compiled->build(std::move(model), options));
  return compiled;
}

Status CompiledModel::build(ir::Graph model, const CompileOptions& options) {
  // One reading of the mappings serves every release of this compile. The
  // importer's code (parsers, libprotobuf) has run for the last time.
  std::optional<CodePageBudget> code_budget;
  if (options.release_code_pages) {
    code_budget.emplace(kCompileCodePageBudget);
    code_budget->release();
  }
  graph_ = std::move(model);
  limits_.max_loop_iterations = options.max_loop_iterations;
  LEANRT_RETURN_IF_ERROR(passes::bind_input_shapes(graph_, options.input_shapes, options.default_dim));
  LEANRT_RETURN_IF_ERROR(passes::specialize_inputs(graph_, options.input_values));
  LEANRT_RETURN_IF_ERROR(select_outputs(graph_, options.outputs));
  passes::prune_to_outputs(graph_);
  passes::drop_identities(graph_);
  // The fusion passes serve the fast kernels; `--kernels reference` runs the
  // graph as imported. Batch norm on a bare conv folds before inference
  // (nothing to infer for it then); after a BiasAdd, in the folding rounds.
  const bool fuse = options.kernels.choice == kernels::KernelChoice::kAuto;
  if (fuse) passes::fold_batch_norm(graph_);
  LEANRT_RETURN_IF_ERROR(passes::infer_and_fold(graph_, evaluate_node, options.fold));
  passes::prune_to_outputs(graph_);
  if (fuse) LEANRT_RETURN_IF_ERROR(passes::fuse_for_fast_kernels(graph_));

  for (size_t i = 0; i < graph_.inputs.size(); ++i) {
    const ir::Value& value = graph_.values[graph_.inputs[i]];
    inputs_.push_back({graph_.input_names[i], value.dtype, value.shape});
  }
  for (size_t i = 0; i < graph_.outputs.size(); ++i) {
    const ir::Value& value = graph_.values[graph_.outputs[i]];
    outputs_.push_back({graph_.output_names[i], value.dtype, value.shape, value.dynamic_shape});
  }
  if (!options.map_weights) copy_mapped_weights();
  LEANRT_RETURN_IF_ERROR(bind_kernels(options.kernels, code_budget ? &*code_budget : nullptr));
  const int max_threads = threads_ > 0 ? threads_ : omp_get_num_procs();
  governor_ = ThreadGovernor(options.adapt_threads && max_threads > 1);
  // libgomp sets up a team the first time a thread opens a region of that
  // size: done here for one thread too, so the governor's first one-thread
  // run allocates nothing either.
  if (max_threads > 1) {
    const kernels::ThreadCeiling one(1);
#pragma omp parallel
    { static_cast<void>(0); }
  }
  count_weights();
  // Packing freed the weights it copied (and folding its temporaries); glibc
  // keeps freed heap resident unless asked, and the arena, allocated next,
  // would then add to it rather than take its place.
  malloc_trim(0);
  if (code_budget) code_budget->release();
  code_pages_released_ = options.release_code_pages;
  const bool runs_onednn = std::any_of(step_infos_.begin(), step_infos_.end(),
                                       [](const StepInfo& step) { return step.kernel.ends_with("_onednn"); });
  if (code_budget && runs_onednn) first_run_code_faults_ = std::make_unique<ExactCodeFaults>("libdnnl");
  return plan_arena(options);
}

Status CompiledModel::bind_kernels(const kernels::KernelOptions& options, CodePageBudget* code_budget) {
  threads_ = options.threads;
  kernels::apply_threads(threads_);
  views_.resize(graph_.values.size());
  for (size_t v = 0; v < graph_.values.size(); ++v) {
    const ir::Value& value = graph_.values[v];
    views_[v] = {nullptr, value.dtype, Dims::from(value.shape)};
    if (value.is_constant()) views_[v].data = const_cast<std::byte*>(value.constant->data);  // kernels never write inputs
  }
  PackedConstantTracker packed(graph_);
  for (size_t n = 0; n < graph_.nodes.size(); ++n) {
    const ir::Node& node = graph_.nodes[n];
    Step step;
    kernels::KernelPtr kernel;
    if (is_dynamic(node, graph_)) {
      auto dynamic = std::make_unique<DynamicStep>(graph_, static_cast<ir::NodeId>(n), limits_);
      step.dynamic = dynamic.get();
      kernel = std::move(dynamic);
      ++dynamic_steps_;
    } else {
      kernels::KernelContext context(graph_, node);
      LEANRT_ASSIGN_OR_RETURN(kernel, kernels::make_kernel(context, options));
    }
    for (ir::ValueId input : node.inputs) step.inputs.push_back(&views_[input]);
    for (ir::ValueId output : node.outputs) step.outputs.push_back(&views_[output]);
    size_t output_bytes = 0;
    for (ir::ValueId output : node.outputs) output_bytes += value_bytes(graph_.values[output]);
    step_infos_.push_back(
        {node.name, node.op, kernel->name(), output_bytes, kernel->scratch_bytes(), kernel->packed_weights_bytes()});
    packed.step_made(node, *kernel, graph_, views_);
    if (code_budget) code_budget->check();
    step.kernel = std::move(kernel);
    steps_.push_back(std::move(step));
  }
  for (ir::ValueId input : graph_.inputs) input_views_.push_back(&views_[input]);
  for (ir::ValueId output : graph_.outputs) output_views_.push_back(&views_[output]);
  return Status::ok();
}

// Weights as the kernels hold them: the constants still read, and what the
// kernels packed.
void CompiledModel::count_weights() {
  std::unordered_set<const void*> counted_weights;
  for (const Step& step : steps_) weights_owned_bytes_ += step.kernel->packed_weights_bytes();
  for (const ir::Value& value : graph_.values) {
    if (!value.is_constant() || !counted_weights.insert(value.constant->data).second) continue;
    (value.constant->file_mapped ? weights_mapped_bytes_ : weights_owned_bytes_) += value.constant->size_bytes;
  }
}

// For comparing memory strategies (profile --compare): the weights as
// anonymous memory, as an engine that reads the file into buffers holds
// them. The mapped pages are released, so only the copy stays resident.
void CompiledModel::copy_mapped_weights() {
  std::map<const std::byte*, ConstBytes> copies;  // values may share one constant
  for (ir::Value& value : graph_.values) {
    if (!value.is_constant() || !value.constant->file_mapped) continue;
    auto [copy, inserted] = copies.try_emplace(value.constant->data);
    if (inserted) {
      copy->second = ConstBytes::copy_of(value.constant->data, value.constant->size_bytes);
      release_mapped_pages(*value.constant);
    }
    value.constant = copy->second;
  }
}

// Every value a node computes, and each node's scratch, becomes a planner
// tensor living from its producing step to its last reader (graph outputs:
// to the end). Reshape-like ops ask to alias their input; elementwise ops
// ask to overwrite an input that dies at their step; concats laid end to end
// ask for their inputs inside their output.
Status CompiledModel::plan_arena(const CompileOptions& options) {
  const int step_count = static_cast<int>(graph_.nodes.size());
  plan::PlanInput request;
  request.alignment = AlignedBuffer::kAlignment;
  std::vector<int> tensor_of(graph_.values.size(), -1);
  std::vector<ir::ValueId> value_of_tensor;
  std::vector<int> last_use(graph_.values.size(), -1);
  for (int s = 0; s < step_count; ++s)
    for (ir::ValueId input : graph_.nodes[s].inputs) last_use[input] = s;
  for (ir::ValueId output : graph_.outputs) last_use[output] = step_count;  // read after the last step
  for (int s = 0; s < step_count; ++s) {
    for (ir::ValueId output : graph_.nodes[s].outputs) {
      if (graph_.values[output].dynamic_shape) continue;  // held by its dynamic step, not planned
      tensor_of[output] = static_cast<int>(request.tensors.size());
      value_of_tensor.push_back(output);
      request.tensors.push_back({value_bytes(graph_.values[output]), s, std::max(s, last_use[output])});
      planned_tensors_.push_back({graph_.values[output].name, request.tensors.back().size_bytes, s,
                                  request.tensors.back().last_step, false});
    }
  }
  std::vector<int> scratch_tensor(step_count, -1);
  for (int s = 0; s < step_count; ++s) {
    if (steps_[s].kernel->scratch_bytes() == 0) continue;
    scratch_tensor[s] = static_cast<int>(request.tensors.size());
    request.tensors.push_back({steps_[s].kernel->scratch_bytes(), s, s});
    planned_tensors_.push_back({graph_.nodes[s].name + " (scratch)", steps_[s].kernel->scratch_bytes(), s, s, true});
  }
  for (int s = 0; s < step_count && options.in_place; ++s) {
    const ir::Node& node = graph_.nodes[s];
    const ir::OpInfo* op = ir::find_op(node.op);
    if (op == nullptr || node.outputs.empty()) continue;
    const int output_tensor = tensor_of[node.outputs[0]];
    if (output_tensor < 0) continue;
    const size_t output_bytes = request.tensors[output_tensor].size_bytes;
    if ((op->traits & ir::kAlias) && !node.inputs.empty() && tensor_of[node.inputs[0]] >= 0) {
      request.shares.push_back({output_tensor, tensor_of[node.inputs[0]], plan::ShareKind::kAlias});
      continue;
    }
    // A kernel may name the one input its output can overwrite (a fused
    // residual Add reads each residual element once, where it writes).
    const int kernel_in_place = steps_[s].kernel->in_place_input();
    if (!(op->traits & ir::kInPlace) && kernel_in_place < 0) continue;
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      if (kernel_in_place >= 0 && static_cast<int>(k) != kernel_in_place) continue;
      const ir::ValueId input = node.inputs[k];
      const int input_tensor = tensor_of[input];
      if (input_tensor >= 0 && last_use[input] == s && request.tensors[input_tensor].size_bytes == output_bytes) {
        request.shares.push_back({output_tensor, input_tensor, plan::ShareKind::kInPlace});
        break;
      }
    }
  }
  for (int s = 0; s < step_count && options.in_place; ++s)
    request_concat_slices(graph_, s, tensor_of, last_use, request);
  if (!options.share_arena) {
    // Every tensor its own region: the lifetimes all span the whole run.
    for (plan::TensorLifetime& life : request.tensors) {
      life.first_step = 0;
      life.last_step = step_count;
    }
    request.shares.clear();
  }
  LEANRT_ASSIGN_OR_RETURN(plan_, plan::plan_memory(request));
  LEANRT_RETURN_IF_ERROR(plan::verify_plan(request, plan_).with_context(graph_.source + ": memory plan"));
  arena_ = AlignedBuffer(plan_.arena_bytes);
  for (size_t t = 0; t < value_of_tensor.size(); ++t) views_[value_of_tensor[t]].data = arena_.data() + plan_.offsets[t];
  for (int s = 0; s < step_count; ++s)
    if (scratch_tensor[s] >= 0) steps_[s].scratch_offset = plan_.offsets[scratch_tensor[s]];
  schedule_dynamic_releases(last_use);
  max_dynamic_bytes_ = options.max_dynamic_bytes;
  return Status::ok();
}

// A dynamic value is freed right after its last reader; graph outputs stay
// until the next run.
void CompiledModel::schedule_dynamic_releases(const std::vector<int>& last_use) {
  const int step_count = static_cast<int>(steps_.size());
  for (int s = 0; s < step_count; ++s) {
    if (steps_[s].dynamic == nullptr) continue;
    const ir::Node& node = graph_.nodes[s];
    for (size_t k = 0; k < node.outputs.size(); ++k) {
      const int last = last_use[node.outputs[k]];
      if (last < step_count) steps_[std::max(last, s)].release_after.emplace_back(s, static_cast<int>(k));
    }
  }
}

void CompiledModel::set_input(int index, const void* data) {
  input_views_[index]->data = static_cast<std::byte*>(const_cast<void*>(data));
}

Status CompiledModel::run() {
  const kernels::ThreadCeiling ceiling(governor_.single_thread_next() ? 1 : 0);
  const auto start = std::chrono::steady_clock::now();
  Status status = run_steps<false>(nullptr);
  if (status.is_ok()) governor_.record(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return status;
}

bool CompiledModel::runs_single_threaded() const { return governor_.single_thread(); }

Status CompiledModel::run_timed(std::span<double> step_seconds) {
  if (step_seconds.size() < steps_.size())
    return invalid_argument("{}: run_timed: expected room for {} step times, found {}", graph_.source, steps_.size(),
                            step_seconds.size());
  return run_steps<true>(step_seconds.data());
}

// kTimed is a template parameter so that run() carries no timing code.
template <bool kTimed>
Status CompiledModel::run_steps(double* step_seconds) {
  kernels::apply_threads(threads_);  // OpenMP's count is per calling thread
  dynamic_peak_bytes_ = dynamic_live_bytes_;
  for (size_t s = 0; s < steps_.size(); ++s) {
    Step& step = steps_[s];
    kernels::KernelIO io{step.inputs.data(), static_cast<int>(step.inputs.size()), step.outputs.data(),
                         static_cast<int>(step.outputs.size()), arena_.data() + step.scratch_offset};
    if (step.dynamic != nullptr) dynamic_live_bytes_ -= step.dynamic->held_bytes();
    std::chrono::steady_clock::time_point start;
    if constexpr (kTimed) start = std::chrono::steady_clock::now();
    Status status = step.kernel->run(io);
    if constexpr (kTimed) step_seconds[s] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!status.is_ok()) return status;
    if (step.dynamic != nullptr) {
      dynamic_live_bytes_ += step.dynamic->held_bytes();
      dynamic_peak_bytes_ = std::max(dynamic_peak_bytes_, dynamic_live_bytes_);
      if (dynamic_live_bytes_ > max_dynamic_bytes_)
        return make_error(ErrorCode::kResourceExhausted,
                          "{}: node \"{}\" ({}): data-dependent tensors need {} bytes, above the dynamic region "
                          "limit of {} bytes",
                          graph_.source, graph_.nodes[s].name, graph_.nodes[s].op, dynamic_live_bytes_,
                          max_dynamic_bytes_);
    }
    for (const auto& [producer, output] : step.release_after)
      dynamic_live_bytes_ -= steps_[producer].dynamic->release(output);
  }
  first_run_code_faults_.reset();  // the run path's oneDNN code is mapped: merge the mappings back
  for (size_t i = 0; i < output_views_.size(); ++i)
    if (output_views_[i]->dead)
      return invalid_argument("{}: output \"{}\" was not computed this run: its branch of a Switch was not taken",
                              graph_.source, outputs_[i].name);
  return Status::ok();
}

}  // namespace leanrt::runtime
