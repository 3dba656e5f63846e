// The predicted peak: what a process running a compiled model will hold at
// its highest, from the plan, the compiled model and the model as imported
// (nothing is run), next to the measured VmHWM in `leanrt profile`.
// docs/memory.md says what every term means, how each is measured and how
// the modelled costs were calibrated.
//
//   RuntimeBaseline baseline = measure_runtime_baseline();   // before the model is loaded
//   LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, importer::load_model(path, {}));
//   ImportFacts facts = import_facts(graph, format, path);
//   ... compile ...
//   PeakPrediction peak = predict_peak(*compiled, baseline, facts, input_bytes, threads);
//   fmt::print("{}", peak_text(peak));
//
// predicted peak = max(load phase, compile phase, run phase):
//   load phase    = the process at start + the importer's code and what it
//                   parses (the model description, the graph, the weights
//                   it decodes);
//   compile phase = runtime (compile releases the importer's code first and
//                   keeps the code it pages in within a budget) + weights +
//                   compile transient (a weight and its packed copy, briefly);
//   run phase     = run-phase runtime (code pages released at the end of
//                   compile, the run path's paged back) + weights + arena + io.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "leanrt/import/load_model.h"
#include "leanrt/ir/graph.h"
#include "leanrt/runtime/compiled_model.h"

namespace leanrt::profile {

// The process before the model: measured once, at the start, in the process
// whose peak is predicted (the same binary at the same point costs the same).
struct RuntimeBaseline {
  size_t process_start_bytes = 0;  // VmRSS before the model is loaded: binary, libraries as loaded, heap so far
  size_t process_start_anon_bytes = 0;  // its RssAnon: what compile's release of code pages leaves of it
};

RuntimeBaseline measure_runtime_baseline();

// The model as the importer left it, before compile folds, packs and frees:
// what the compiled model no longer shows.
struct ImportFacts {
  std::string format;        // importer::format_name
  bool protobuf = false;     // read through libprotobuf (GraphDef, SavedModel, checkpoint)
  bool tfjs = false;         // a TF.js model.json, parsed as JSON
  bool saved_model = false;  // a SavedModel: its function library and variables too
  // Bytes of the file the importer parses into memory: model.json, the
  // GraphDef, saved_model.pb, the .meta (0 for TFLite, read in place).
  size_t parsed_file_bytes = 0;
  int nodes = 0;             // graph nodes as imported
  size_t weights_owned_bytes = 0;  // constants the importer decoded or copied into memory
  size_t weights_mapped_bytes = 0;  // constants read in place from a model file (read once by some importers)
  // (Pages of a mapped model file that an importer copied or dequantized
  // are released right after, so they add nothing once import is done.)
};

ImportFacts import_facts(const ir::Graph& graph, importer::ModelFormat format, const std::string& path);

// The runtime: the measured start plus resident memory that appears because
// a model is loaded, compiled and run and that is not the model's own data.
// Every term but the first is modelled (docs/memory.md: the model and its
// calibration).
struct RuntimeCosts {
  size_t process_start_bytes = 0;     // measured: VmRSS before the model was loaded
  size_t process_start_anon_bytes = 0;  // measured: its RssAnon (heap, stacks, relocated data)
  // Load phase.
  size_t load_code_bytes = 0;         // the importer's code (and libprotobuf's) paged in
  size_t parse_bytes = 0;             // the parsed description: JSON DOM, protobuf messages
  size_t imported_graph_bytes = 0;    // the graph as imported, per node
  size_t imported_weights_bytes = 0;  // weights the importer decodes or copies (and its buffers doing so)
  // Compile phase: compile starts by releasing the code pages, then keeps
  // what making kernels pages in within a budget (base/code_pages.h).
  size_t compile_code_bytes = 0;      // library pages that stay (relocated data) plus the budgeted code
  size_t onednn_primitive_bytes = 0;  // per distinct oneDNN primitive: JIT code and primitive state
  size_t thread_bytes = 0;            // OpenMP workers: touched stack pages and per-thread malloc arenas
  size_t graph_bytes = 0;             // the graph, views and kernel objects (heap), per imported node
  size_t allocator_bytes = 0;         // heap the allocator keeps after compile frees the imported weights it packed
  // Run phase: compile ends by releasing the code pages again
  // (runtime::CompileOptions::release_code_pages); a run pages back only the
  // code its steps run.
  size_t run_code_bytes = 0;
  size_t run_allocator_bytes = 0;     // heap the allocator keeps once running
  // Code pages kept (profile --keep-code-pages): compile and run hold
  // kept_code() instead of their own code terms.
  bool code_pages_kept = false;
  size_t onednn_library_bytes = 0;    // libdnnl pages its primitive families page in (held only when kept)

  size_t load_total() const {
    return process_start_bytes + load_code_bytes + parse_bytes + imported_graph_bytes + imported_weights_bytes;
  }
  size_t compile_total() const {
    return process_start_anon_bytes + (code_pages_kept ? kept_code() : compile_code_bytes) + onednn_primitive_bytes +
           thread_bytes + graph_bytes + allocator_bytes;
  }
  size_t run_total() const {
    return process_start_anon_bytes + (code_pages_kept ? kept_code() : run_code_bytes) + onednn_primitive_bytes +
           thread_bytes + graph_bytes + run_allocator_bytes;
  }
  // With the code pages kept, compile and run hold all code paged in since
  // the start: the start's file pages, the importer's and oneDNN's.
  size_t kept_code() const {
    const size_t start_file = process_start_bytes - std::min(process_start_bytes, process_start_anon_bytes);
    return start_file + load_code_bytes + onednn_library_bytes;
  }
};

// What the modelled runtime costs were computed from.
struct CostDrivers {
  bool protobuf = false, tfjs = false, saved_model = false;
  size_t parsed_file_bytes = 0;
  int reference_kernel_kinds = 0;   // distinct reference kernels
  bool onednn = false, onednn_conv = false, onednn_deconv = false, onednn_pool = false, onednn_elementwise = false;
  int onednn_distinct_primitives = 0;
  int worker_threads = 0;
  int imported_nodes = 0;
  size_t imported_weights_owned_bytes = 0;
  size_t imported_weights_mapped_bytes = 0;
};

struct PeakPrediction {
  RuntimeCosts runtime;
  CostDrivers drivers;
  size_t weights_mapped_bytes = 0;  // read in place from the model file (RssFile)
  size_t weights_owned_bytes = 0;   // dequantized, folded or packed (RssAnon)
  size_t arena_bytes = 0;
  size_t io_bytes = 0;              // input batch buffers the caller binds
  // Compile holds a weight and its copy in oneDNN's layout together for a
  // moment, before the arena exists: the largest packed weight.
  size_t compile_transient_bytes = 0;
  size_t load_phase_bytes = 0;      // load-phase runtime (the imported weights included)
  size_t compile_phase_bytes = 0;   // compile-phase runtime + weights + compile transient
  size_t run_phase_bytes = 0;       // run-phase runtime + weights + arena + io
  size_t predicted_peak_bytes = 0;  // the largest of the three
  std::string peak_phase;           // "load", "compile" or "run"
  // Data-dependent steps hold memory known only once they run: not
  // predicted; profile reports the measured dynamic region beside it.
  int dynamic_steps = 0;
};

// `io_bytes`: what the caller holds for inputs while the model runs (the
// outputs are in the arena); `threads`: the kernels' thread count (0 = all
// cores).
PeakPrediction predict_peak(const runtime::CompiledModel& model, const RuntimeBaseline& baseline,
                            const ImportFacts& facts, size_t io_bytes, int threads);

// One full batch of every input, as the model reads it: the io term for a
// caller that binds its own buffers (what `inspect` assumes).
size_t input_bytes(const runtime::CompiledModel& model);

// Bytes of arena buffers live at each step (the planner's view: a buffer
// shared by several tensors counts once); its maximum is the arena's lower
// bound.
std::vector<size_t> live_bytes_per_step(const runtime::CompiledModel& model);

nlohmann::json peak_json(const PeakPrediction& peak);
std::string peak_text(const PeakPrediction& peak);

}  // namespace leanrt::profile
