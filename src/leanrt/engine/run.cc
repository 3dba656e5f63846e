// The streaming run loop: datasets in, a batch at a time through a plan
// compiled once per input shape, predictions out as they come.
//
// Order of work, so that a bad request fails before anything is written:
//   1. load the model; open every input and check its dtype and shape
//   2. choose the batching; compile the first plan; check the outputs
//   3. prepare the output directory (exists? writable? locked) and the resume point
//   4. batches: read rows -> run -> append outputs -> release input pages -> save resume state
//   5. finish: npy headers, fdatasync, rename into place, drop the resume state
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>

#include "leanrt/base/process_memory.h"
#include "leanrt/data/batcher.h"
#include "leanrt/data/convert.h"
#include "leanrt/data/prediction_writer.h"
#include "leanrt/data/run_state.h"
#include "leanrt/data/sample_source.h"
#include "leanrt/engine/engine.h"

namespace leanrt::engine {

std::string output_file_name(const std::string& tensor_name) { return data::npy_file_name(tensor_name); }

namespace {

namespace fs = std::filesystem;

// ---- inputs ----------------------------------------------------------------

struct ModelInput {
  std::string name;
  DType dtype = DType::kInvalid;
  Shape shape;  // as declared; -1 = any
};

std::vector<ModelInput> model_inputs(const ir::Graph& graph) {
  std::vector<ModelInput> inputs;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const ir::Value& value = graph.values[graph.inputs[i]];
    inputs.push_back({graph.input_names[i], value.dtype, value.shape});
  }
  return inputs;
}

std::string input_list(const std::vector<ModelInput>& inputs) {
  std::string text;
  for (size_t i = 0; i < inputs.size(); ++i)
    text += fmt::format("{}{} {} {}", i ? ", " : "", inputs[i].name, shape_string(inputs[i].shape),
                        dtype_name(inputs[i].dtype));
  return text;
}

// The model input a user's name means ("x" or "x:0").
std::optional<size_t> find_input(const std::vector<ModelInput>& inputs, const std::string& name) {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (name == inputs[i].name || name == inputs[i].name + ":0") return i;
  return std::nullopt;
}

// "serving_default_x:0" -> "serving_default_x": how an .npz names an input's array.
std::string array_name_for(const std::string& input_name) {
  const size_t colon = input_name.rfind(":0");
  return colon != std::string::npos && colon + 2 == input_name.size() ? input_name.substr(0, colon) : input_name;
}

// Images become [N, H, W, C] rows sized by the model input itself.
Expected<data::SampleSourcePtr> open_images(const std::string& path, const ModelInput& input,
                                            const RunRequest& request) {
  if (input.shape.size() != 4)
    return invalid_argument("{}: input \"{}\": images need a model input [N, height, width, channels], found {}",
                            path, input.name, shape_string(input.shape));
  LEANRT_ASSIGN_OR_RETURN(std::vector<std::string> files, data::list_image_files(path));
  data::ImageSpec spec;
  spec.dtype = input.dtype;
  spec.height = input.shape[1];
  spec.width = input.shape[2];
  spec.channels = input.shape[3];
  spec.mean = request.image_mean;
  spec.scale = request.image_scale;
  return data::open_image_source(path, std::move(files), spec);
}

class InputOpener {
 public:
  InputOpener(const RunRequest& request, const std::vector<ModelInput>& inputs)
      : request_(request), inputs_(inputs), sources_(inputs.size()) {}

  Expected<std::vector<data::SampleSourcePtr>> open_all() {
    for (const auto& [name, path] : request_.inputs) LEANRT_RETURN_IF_ERROR(open_one(name, path));
    for (size_t i = 0; i < inputs_.size(); ++i)
      if (!sources_[i])
        return invalid_argument("{}: missing input \"{}\" {} {}: pass --input {}=FILE.npy", request_.model,
                                inputs_[i].name, shape_string(inputs_[i].shape), dtype_name(inputs_[i].dtype),
                                inputs_[i].name);
    if (!image_given_ && (!request_.image_mean.empty() || !request_.image_scale.empty()))
      return invalid_argument("--mean / --scale normalise image inputs: expected an image directory, image or list "
                              "file among the inputs, found none");
    return std::move(sources_);
  }

 private:
  Status open_one(const std::string& name, const std::string& path) {
    const data::DatasetKind kind = data::dataset_kind(path);
    if (kind == data::DatasetKind::kNpz && name.empty() && inputs_.size() > 1) return open_npz_by_names(path);
    LEANRT_ASSIGN_OR_RETURN(size_t index, resolve(name, path));
    if (sources_[index]) return invalid_argument("input \"{}\" is given twice", inputs_[index].name);
    switch (kind) {
      case data::DatasetKind::kNpy: {
        LEANRT_ASSIGN_OR_RETURN(sources_[index], data::open_npy_source(path));
        break;
      }
      case data::DatasetKind::kNpz: {
        LEANRT_ASSIGN_OR_RETURN(auto archive, data::NpzArchive::open(path));
        LEANRT_ASSIGN_OR_RETURN(sources_[index], open_npz_array(*archive, inputs_[index].name));
        break;
      }
      default: {
        LEANRT_ASSIGN_OR_RETURN(sources_[index], open_images(path, inputs_[index], request_));
        image_given_ = true;
        break;
      }
    }
    return check_source(*sources_[index], inputs_[index]);
  }

  Expected<size_t> resolve(const std::string& name, const std::string& path) const {
    if (name.empty()) {
      if (inputs_.size() == 1) return size_t{0};
      return invalid_argument("{}: a bare --input path needs a single-input model; the model's inputs are {}: pass "
                              "--input NAME={}",
                              path, input_list(inputs_), path);
    }
    const std::optional<size_t> index = find_input(inputs_, name);
    if (!index)
      return invalid_argument("{}: unknown input \"{}\": the model's inputs are {}", request_.model, name,
                              input_list(inputs_));
    return *index;
  }

  // A bare .npz for a multi-input model feeds every input it has an array for.
  Status open_npz_by_names(const std::string& path) {
    LEANRT_ASSIGN_OR_RETURN(auto archive, data::NpzArchive::open(path));
    bool matched = false;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const std::string array = array_name_for(inputs_[i].name);
      const auto names = archive->array_names();
      if (std::find(names.begin(), names.end(), array) == names.end()) continue;
      if (sources_[i]) return invalid_argument("input \"{}\" is given twice", inputs_[i].name);
      LEANRT_ASSIGN_OR_RETURN(sources_[i], archive->open_array(array));
      LEANRT_RETURN_IF_ERROR(check_source(*sources_[i], inputs_[i]));
      matched = true;
    }
    if (!matched)
      return invalid_argument("{}: expected arrays named after the model's inputs ({}), found {}", path,
                              input_list(inputs_), fmt::join(archive->array_names(), ", "));
    return Status::ok();
  }

  // The array for `input_name`: the one named after it, else the only one.
  static Expected<data::SampleSourcePtr> open_npz_array(const data::NpzArchive& archive, const std::string& input_name) {
    const std::vector<std::string> names = archive.array_names();
    const std::string wanted = array_name_for(input_name);
    if (std::find(names.begin(), names.end(), wanted) != names.end()) return archive.open_array(wanted);
    if (names.size() == 1) return archive.open_array(names[0]);
    return invalid_argument("{}: input \"{}\": expected an array named \"{}\" (or a single array), found {}",
                            archive.path(), input_name, wanted, fmt::join(names, ", "));
  }

  // The dtype must convert and every fixed dim must match; a leading dim of
  // -1 or 1 in the model takes any number of samples (they are batched).
  static Status check_source(const data::SampleSource& source, const ModelInput& input) {
    const std::string refusal = data::conversion_refusal(source.dtype(), input.dtype);
    if (!refusal.empty())
      return invalid_argument("{}: input \"{}\": expected dtype {}, found {} ({})", source.name(), input.name,
                              dtype_name(input.dtype), dtype_name(source.dtype()), refusal);
    const Shape& shape = source.shape();
    if (input.shape.empty() && !shape.empty()) return Status::ok();  // rank unknown to the model
    bool matches = shape.size() == input.shape.size();
    for (size_t axis = 0; matches && axis < shape.size(); ++axis) {
      const int64_t declared = input.shape[axis];
      matches = declared < 0 || declared == shape[axis] || (axis == 0 && declared == 1);
    }
    if (!matches)
      return invalid_argument("{}: input \"{}\": expected shape {}, found {}", source.name(), input.name,
                              shape_string(input.shape), shape_string(shape));
    return Status::ok();
  }

  const RunRequest& request_;
  const std::vector<ModelInput>& inputs_;
  std::vector<data::SampleSourcePtr> sources_;
  bool image_given_ = false;
};

// ---- batching --------------------------------------------------------------

// Streamed: every input has a leading sample axis (the model's leading dim
// is -1 or 1) and all inputs hold the same number of samples. Otherwise the
// arrays are not samples of one dataset (a scalar input, a fixed [10, 10]
// sequence, a broadcast parameter) and the model runs once over them whole.
struct Batching {
  bool streamed = true;
  data::BatchPlan plan;
};

Batching choose_batching(const std::vector<data::SampleSourcePtr>& sources, const std::vector<ModelInput>& inputs,
                         int64_t batch) {
  Batching batching;
  batching.plan.samples = sources.empty() ? 1 : sources[0]->samples();
  bool one_at_a_time = false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape& declared = inputs[i].shape;
    const bool sample_axis = !declared.empty() && (declared[0] < 0 || declared[0] == 1) &&
                             !sources[i]->shape().empty();
    if (!sample_axis || sources[i]->samples() != batching.plan.samples) batching.streamed = false;
    if (!declared.empty() && declared[0] == 1) one_at_a_time = true;
  }
  if (!batching.streamed) {
    batching.plan.batch_rows = batching.plan.samples;  // one batch, however the arrays are shaped
    return batching;
  }
  const int64_t rows = one_at_a_time ? 1 : batch;
  batching.plan.batch_rows = std::max<int64_t>(1, std::min(rows, batching.plan.samples));
  return batching;
}

// Compiled plans by rows per batch. Batches arrive in order (full batches,
// then at most one shorter last batch), so holding one plan at a time
// compiles each shape once and keeps a single arena alive.
class PlanCache {
 public:
  // Takes the imported graph: the first plan is compiled from it (moved, so
  // weights a kernel packs are not also held by a copy of the graph); a
  // later plan (the last, shorter batch) re-imports the model.
  PlanCache(ir::Graph graph, std::string model_path, importer::LoadOptions load, runtime::CompileOptions options,
            const std::vector<ModelInput>& inputs, const std::vector<data::SampleSourcePtr>& sources, bool streamed)
      : graph_(std::move(graph)),
        model_path_(std::move(model_path)),
        load_(std::move(load)),
        options_(std::move(options)),
        inputs_(inputs),
        streamed_(streamed) {
    for (const auto& source : sources) data_shapes_.push_back(source->shape());
  }

  // Scalar inputs (a resize ratio, a threshold) are the same for every batch
  // and often steer control flow or shapes: plans are compiled for their
  // value (passes::specialize_inputs), so that those parts fold away.
  Status specialize_scalars(const std::vector<data::SampleSourcePtr>& sources) {
    for (size_t i = 0; i < inputs_.size(); ++i) {
      if (!data_shapes_[i].empty()) continue;
      sources[i]->reserve_rows(1);
      LEANRT_ASSIGN_OR_RETURN(const std::byte* bytes, sources[i]->read_rows(0, 1));
      passes::InputValue value{inputs_[i].dtype, {}, std::vector<std::byte>(dtype_size(inputs_[i].dtype))};
      if (data::convert_elements(bytes, sources[i]->dtype(), value.bytes.data(), inputs_[i].dtype, 1))
        return invalid_argument("{}: input \"{}\": value {} does not fit {}", sources[i]->name(), inputs_[i].name,
                                data::element_text(bytes, sources[i]->dtype(), 0), dtype_name(inputs_[i].dtype));
      options_.input_values[inputs_[i].name] = std::move(value);
    }
    return Status::ok();
  }

  // For each input of the current plan, which dataset input feeds it
  // (specialized inputs are not plan inputs).
  const std::vector<size_t>& feeds() const { return feeds_; }

  Expected<runtime::CompiledModel*> for_rows(int64_t rows) {
    if (model_ && rows_ == rows) return model_.get();
    model_.reset();  // free the previous arena before planning the next
    runtime::CompileOptions options = options_;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      Shape shape = data_shapes_[i];
      if (streamed_) shape[0] = rows;
      options.input_shapes[inputs_[i].name] = shape;
    }
    if (!graph_) {
      LEANRT_ASSIGN_OR_RETURN(graph_, importer::load_model(model_path_, load_));
    }
    LEANRT_ASSIGN_OR_RETURN(model_, runtime::CompiledModel::compile(std::move(*graph_), options));
    graph_.reset();
    feeds_.clear();
    for (const runtime::TensorInfo& input : model_->inputs())
      for (size_t i = 0; i < inputs_.size(); ++i)
        if (inputs_[i].name == input.name) feeds_.push_back(i);
    rows_ = rows;
    ++compiled_;
    largest_arena_bytes_ = std::max(largest_arena_bytes_, model_->arena_bytes());
    return model_.get();
  }

  int compiled() const { return compiled_; }
  size_t largest_arena_bytes() const { return largest_arena_bytes_; }
  // After each run: the dynamic region's high-water mark over the whole run.
  void note_dynamic_peak() {
    if (model_) largest_dynamic_bytes_ = std::max(largest_dynamic_bytes_, model_->dynamic_peak_bytes());
  }
  size_t largest_dynamic_bytes() const { return largest_dynamic_bytes_; }

 private:
  std::optional<ir::Graph> graph_;  // until the first compile
  std::string model_path_;
  importer::LoadOptions load_;
  runtime::CompileOptions options_;
  const std::vector<ModelInput>& inputs_;
  std::vector<Shape> data_shapes_;  // each input's whole dataset
  bool streamed_;
  std::unique_ptr<runtime::CompiledModel> model_;
  std::vector<size_t> feeds_;
  int64_t rows_ = -1;
  int compiled_ = 0;
  size_t largest_arena_bytes_ = 0;
  size_t largest_dynamic_bytes_ = 0;
};

// Outputs whose shape depends on the data (NMS boxes, a loop's result) are
// known only after a run: the first batch is run once up front to learn the
// layout the files will have. Reads a scratch batcher of its own, so the
// real run starts from the first sample as usual.
Expected<std::vector<runtime::TensorInfo>> probe_dynamic_outputs(runtime::CompiledModel& model,
                                                                 const std::vector<size_t>& feeds,
                                                                 const std::vector<data::SampleSourcePtr>& sources,
                                                                 bool streamed, int64_t rows) {
  bool any_dynamic = false;
  for (const runtime::TensorInfo& output : model.outputs()) any_dynamic = any_dynamic || output.dynamic_shape;
  if (!any_dynamic) return std::vector<runtime::TensorInfo>{};
  std::vector<AlignedBuffer> converted;
  for (size_t k = 0; k < feeds.size(); ++k) {
    data::SampleSource& source = *sources[feeds[k]];
    const runtime::TensorInfo& input = model.inputs()[k];
    const int64_t count = streamed ? rows : source.samples();
    source.reserve_rows(count);
    LEANRT_ASSIGN_OR_RETURN(const std::byte* bytes, source.read_rows(0, count));
    const int64_t elements = num_elements(input.shape);
    AlignedBuffer& buffer = converted.emplace_back(static_cast<size_t>(elements) * dtype_size(input.dtype));
    if (data::convert_elements(bytes, source.dtype(), buffer.data(), input.dtype, elements))
      return invalid_argument("{}: input \"{}\" does not convert to {}", source.name(), input.name,
                              dtype_name(input.dtype));
    model.set_input(static_cast<int>(k), buffer.data());
  }
  LEANRT_RETURN_IF_ERROR(model.run());
  std::vector<runtime::TensorInfo> probed;
  for (size_t k = 0; k < model.outputs().size(); ++k) {
    const kernels::TensorView& view = model.output(static_cast<int>(k));
    probed.push_back({model.outputs()[k].name, view.dtype, view.shape.to_shape(), false});
  }
  return probed;
}

// Output k's layout in the files: per-sample rows when its leading dim is the
// batch, else (only in a single-batch run) the whole tensor as computed.
// `probed`: the shapes of the outputs after running the first batch, for
// outputs whose shape is known only at run time (empty when none are).
Expected<std::vector<data::OutputSpec>> output_specs(const runtime::CompiledModel& model, int64_t rows,
                                                     const data::BatchPlan& plan,
                                                     const std::vector<runtime::TensorInfo>& probed) {
  std::vector<data::OutputSpec> specs;
  for (size_t k = 0; k < model.outputs().size(); ++k) {
    const runtime::TensorInfo& output = model.outputs()[k].dynamic_shape ? probed.at(k) : model.outputs()[k];
    data::OutputSpec spec{output.name, output.dtype, output.shape, false};
    if (!output.shape.empty() && output.shape[0] == rows) {
      spec.row_shape.erase(spec.row_shape.begin());
      spec.rows_axis = true;
    } else if (plan.batches() > 1) {
      return invalid_argument("output \"{}\" has shape {} for a batch of {}: expected a leading dim of {} (one row "
                              "per sample) to stream {} samples; pass --batch {} to run them as one batch",
                              output.name, shape_string(output.shape), rows, rows, plan.samples, plan.samples);
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

size_t spec_row_bytes(const data::OutputSpec& spec) {
  return static_cast<size_t>(num_elements(spec.row_shape)) * dtype_size(spec.dtype);
}

// ---- output directory and resume state ------------------------------------

Status prepare_output_dir(const RunRequest& request, const std::vector<std::string>& paths) {
  std::error_code error;
  fs::create_directories(request.output_dir, error);
  if (!fs::is_directory(request.output_dir, error))
    return io_error("{}: cannot create the output directory{}", request.output_dir,
                    error ? ": " + error.message() : "");
  if (::access(request.output_dir.c_str(), W_OK) != 0)
    return io_error("{}: output directory is not writable: {}", request.output_dir, std::strerror(errno));
  std::set<std::string> unique;
  for (const std::string& path : paths) {
    if (!unique.insert(path).second)
      return invalid_argument("{}: two outputs would be written to this file (their names differ only in characters "
                              "outside [A-Za-z0-9._-])",
                              path);
    if (!request.overwrite && fs::exists(path, error))
      return io_error("{}: output already exists (pass --overwrite to replace it)", path);
  }
  return Status::ok();
}

// What makes two runs the same run: model, inputs (path, size, mtime) and
// every option that changes the bytes written.
std::string describe_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return path;
  return fmt::format("{} {} {}.{}", fs::absolute(path).string(), info.st_size, info.st_mtim.tv_sec,
                     info.st_mtim.tv_nsec);
}

std::string run_fingerprint(const RunRequest& request, const std::vector<data::SampleSourcePtr>& sources,
                            const std::vector<data::OutputSpec>& outputs, const data::BatchPlan& plan) {
  data::Fingerprint fingerprint;
  fingerprint.add("model " + describe_file(request.model));
  for (const auto& [name, path] : request.inputs) fingerprint.add("input " + name + "=" + describe_file(path));
  for (const auto& source : sources) {
    fingerprint.add(fmt::format("source {} {} {}", source->name(), shape_string(source->shape()),
                                dtype_name(source->dtype())));
    const bool labelled = !source->sample_label(0).empty();  // an image list: which files, in which order
    for (int64_t i = 0; labelled && i < source->samples(); ++i) fingerprint.add(source->sample_label(i));
  }
  for (const auto& output : outputs) fingerprint.add("output " + output.name + " " + shape_string(output.row_shape));
  fingerprint.add(fmt::format("batch {} format {} top_k {} mean {} scale {}", plan.batch_rows,
                              static_cast<int>(request.format), request.top_k, fmt::join(request.image_mean, ","),
                              fmt::join(request.image_scale, ",")));
  return fingerprint.hex();
}

// The resume point for this run, if --resume finds one that belongs to it.
Expected<std::optional<data::ResumePoint>> find_resume_point(const RunRequest& request, const std::string& state_path,
                                                             const std::string& fingerprint,
                                                             const data::BatchPlan& plan,
                                                             const std::vector<std::string>& final_paths) {
  if (!request.resume) {
    ::unlink(state_path.c_str());  // a new run: a stale state must never describe its files
    return std::optional<data::ResumePoint>();
  }
  LEANRT_ASSIGN_OR_RETURN(std::optional<data::RunState> state, data::load_run_state(state_path));
  if (!state) return std::optional<data::ResumePoint>();  // nothing was interrupted: start from the beginning
  if (state->fingerprint != fingerprint)
    return invalid_argument("{}: cannot resume: the partial outputs are from a different run (model, inputs or "
                            "options changed): expected fingerprint {}, found {}; run without --resume to start over",
                            state_path, fingerprint, state->fingerprint);
  const data::ResumePoint& point = state->progress;
  const bool on_batch_boundary = point.samples == plan.samples || point.samples % plan.batch_rows == 0;
  if (point.samples < 0 || point.samples > plan.samples || !on_batch_boundary)
    return invalid_argument("{}: cannot resume: expected a sample count on a batch boundary up to {}, found {}",
                            state_path, plan.samples, point.samples);
  for (size_t k = 0; k < point.files.size() && k < final_paths.size(); ++k)
    if (point.files[k].path != data::partial_path_of(final_paths[k]))
      return invalid_argument("{}: cannot resume: expected partial file {}, found {}", state_path,
                              data::partial_path_of(final_paths[k]), point.files[k].path);
  return std::optional<data::ResumePoint>(point);
}

Expected<std::unique_ptr<data::PredictionWriter>> open_writer(const RunRequest& request,
                                                              const std::vector<data::OutputSpec>& outputs,
                                                              const std::vector<data::SampleSourcePtr>& sources,
                                                              const std::optional<data::ResumePoint>& resume) {
  if (request.format == data::OutputFormat::kNpy) return data::open_npy_writer(request.output_dir, outputs, resume);
  data::TableOptions options;
  options.format = request.format;
  options.top_k = request.top_k;
  for (const auto& source : sources)
    if (!source->sample_label(0).empty()) {
      const data::SampleSource* labelled = source.get();
      options.sample_label = [labelled](int64_t sample) { return labelled->sample_label(sample); };
      break;
    }
  return data::open_table_writer(request.output_dir, outputs, options, resume);
}

Status check_request(const RunRequest& request) {
  if (request.output_dir.empty()) return invalid_argument("--output-dir: expected a directory, found none");
  if (request.batch < 1) return invalid_argument("--batch {}: expected a batch size >= 1", request.batch);
  if (request.top_k < 0) return invalid_argument("--top-k {}: expected a count >= 1", request.top_k);
  if (request.top_k > 0 && request.format == data::OutputFormat::kNpy)
    return invalid_argument("--top-k {}: expected --format csv or jsonl (npy outputs keep every value)",
                            request.top_k);
  return Status::ok();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ---- the loop --------------------------------------------------------------

struct RunContext {
  const RunRequest& request;
  const std::vector<data::OutputSpec>& outputs;
  bool streamed = true;
  data::BatchPlan plan;
  PlanCache& plans;
  data::InputBatcher& batcher;
  data::PredictionWriter& writer;
  std::string state_path;
  std::string fingerprint;
  bool save_state = false;  // runs of more than one batch can be resumed
  bool state_saved = false;
  std::chrono::steady_clock::time_point last_state_save;
};

// A shorter last batch gets its own plan; its outputs must still be rows of
// the layout the files were started with.
Status check_output_rows(const kernels::TensorView& view, const data::OutputSpec& spec, int64_t rows) {
  const int64_t expected = num_elements(spec.row_shape) * (spec.rows_axis ? rows : 1);
  if (view.elements() == expected && (!spec.rows_axis || view.shape[0] == rows)) return Status::ok();
  Shape expected_shape = spec.row_shape;
  if (spec.rows_axis) expected_shape.insert(expected_shape.begin(), rows);
  return internal_error("output \"{}\" for a batch of {}: expected shape {}, found {}", spec.name, rows,
                        shape_string(expected_shape), shape_string(view.shape.to_shape()));
}

// One batch: read the rows, run, append the outputs, release what was read.
Status run_batch(RunContext& run, int64_t batch, std::vector<const void*>& outputs) {
  const int64_t first = run.plan.first_row(batch);
  const int64_t rows = run.plan.rows_in(batch);
  LEANRT_ASSIGN_OR_RETURN(runtime::CompiledModel * model, run.plans.for_rows(rows));
  LEANRT_ASSIGN_OR_RETURN(const std::vector<const void*>* inputs,
                          run.streamed ? run.batcher.read(first, rows) : run.batcher.read_all());
  const std::vector<size_t>& feeds = run.plans.feeds();
  for (size_t k = 0; k < feeds.size(); ++k) model->set_input(static_cast<int>(k), (*inputs)[feeds[k]]);
  LEANRT_RETURN_IF_ERROR(model->run());
  run.plans.note_dynamic_peak();
  for (size_t k = 0; k < outputs.size(); ++k) {
    const kernels::TensorView& view = model->output(static_cast<int>(k));
    LEANRT_RETURN_IF_ERROR(check_output_rows(view, run.outputs[k], rows));
    outputs[k] = view.data;
  }
  LEANRT_RETURN_IF_ERROR(run.writer.append(outputs, first, rows));
  run.batcher.release_before(first + rows);
  return Status::ok();
}

// The resume state, saved after the outputs it describes so that it never
// claims rows the files lack. At most ten saves a second: each costs a file
// write and a rename, which for a tiny model at batch 1 would cost more than
// the batch; a kill then loses at most 0.1 s of work, a signal none (the stop
// path forces a save).
Status save_resume_state(RunContext& run, int64_t samples_done, bool force) {
  if (!run.save_state) return Status::ok();
  const auto now = std::chrono::steady_clock::now();
  if (!force && run.state_saved && now - run.last_state_save < std::chrono::milliseconds(100)) return Status::ok();
  run.last_state_save = now;
  run.state_saved = true;
  return data::save_run_state(run.state_path, {run.fingerprint, {samples_done, run.writer.partial_files()}});
}

void remove_partial_files(const data::PredictionWriter& writer) {
  for (const data::PartialFile& file : writer.partial_files()) ::unlink(file.path.c_str());
}

// What the run will do, before it does it: sizes for the summary.
RunSummary describe_run(const data::BatchPlan& plan, const runtime::CompiledModel& first_model,
                        const std::vector<data::SampleSourcePtr>& sources, const std::vector<ModelInput>& inputs,
                        const std::vector<data::OutputSpec>& outputs) {
  RunSummary summary;
  summary.samples = plan.samples;
  summary.batch_rows = plan.batch_rows;
  summary.weights_bytes = first_model.weights_bytes();
  const size_t rows = static_cast<size_t>(plan.batch_rows);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const size_t row_elements = sources[i]->row_bytes() / std::max<size_t>(dtype_size(sources[i]->dtype()), 1);
    summary.input_batch_bytes += rows * row_elements * dtype_size(inputs[i].dtype);
  }
  for (const data::OutputSpec& output : outputs)
    summary.output_batch_bytes += spec_row_bytes(output) * (output.rows_axis ? rows : 1);
  return summary;
}

// The batches from `first_batch` on, until the last or a stop request. A
// failing batch keeps the partial outputs when a resume state describes them
// (the run can continue once the cause is fixed), else removes them.
Status run_batches(RunContext& run, int64_t first_batch, RunSummary& summary) {
  const RunRequest& request = run.request;
  std::vector<const void*> output_rows(run.outputs.size(), nullptr);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t batch = first_batch; batch < run.plan.batches(); ++batch) {
    if (request.stop_requested && request.stop_requested->load()) {
      summary.stopped = true;
      return save_resume_state(run, run.plan.first_row(batch), /*force=*/true);
    }
    Status status = run_batch(run, batch, output_rows);
    if (!status.is_ok()) {
      if (!run.state_saved) {
        remove_partial_files(run.writer);
        ::unlink(run.state_path.c_str());
        return status;
      }
      return Status(status.code(), fmt::format("{} (at sample {} of {}; the partial outputs in {} are kept: fix the "
                                               "cause and rerun with --resume to continue)",
                                               status.message(), run.plan.first_row(batch), run.plan.samples,
                                               request.output_dir));
    }
    ++summary.batches;
    summary.samples_written += run.plan.rows_in(batch);
    summary.seconds = seconds_since(start);
    const int64_t samples_done = summary.samples_resumed + summary.samples_written;
    LEANRT_RETURN_IF_ERROR(save_resume_state(run, samples_done, /*force=*/false));
    if (request.on_batch)
      request.on_batch({samples_done, run.plan.samples, summary.batches, summary.samples_resumed, summary.seconds});
  }
  return Status::ok();
}

// Complete files renamed into place, or (stopped) partial files made valid
// as they stand; the resume state goes once nothing is left to resume.
Status complete_outputs(RunContext& run, const std::vector<std::string>& final_paths, RunSummary& summary) {
  if (summary.stopped) {
    LEANRT_RETURN_IF_ERROR(run.writer.write_headers());
    for (const data::PartialFile& file : run.writer.partial_files()) summary.written.push_back(file.path);
    return Status::ok();
  }
  LEANRT_RETURN_IF_ERROR(run.writer.finish());
  ::unlink(run.state_path.c_str());
  summary.written = final_paths;
  return Status::ok();
}

}  // namespace

Expected<RunSummary> run_model(const RunRequest& request) {
  LEANRT_RETURN_IF_ERROR(check_request(request));
  importer::LoadOptions load = request.load;
  for (const auto& [name, path] : request.inputs)
    if (!name.empty()) load.tensors.push_back(name);
  load.tensors.insert(load.tensors.end(), request.outputs.begin(), request.outputs.end());
  LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, importer::load_model(request.model, load));
  const std::vector<ModelInput> inputs = model_inputs(graph);

  // 1. Every input opened and checked before anything is compiled or written.
  InputOpener opener(request, inputs);
  LEANRT_ASSIGN_OR_RETURN(std::vector<data::SampleSourcePtr> sources, opener.open_all());
  const Batching batching = choose_batching(sources, inputs, request.batch);
  const data::BatchPlan& plan = batching.plan;

  // 2. The first plan gives the outputs' layout.
  runtime::CompileOptions compile;
  compile.outputs = request.outputs;
  compile.kernels = request.kernels;
  compile.max_loop_iterations = request.max_loop_iterations;
  compile.max_dynamic_bytes = request.max_dynamic_bytes;
  PlanCache plans(std::move(graph), request.model, load, compile, inputs, sources, batching.streamed);
  LEANRT_RETURN_IF_ERROR(plans.specialize_scalars(sources));
  const int64_t first_rows = plan.batches() > 0 ? plan.rows_in(0) : 1;
  LEANRT_ASSIGN_OR_RETURN(runtime::CompiledModel * first_model, plans.for_rows(first_rows));
  LEANRT_ASSIGN_OR_RETURN(std::vector<runtime::TensorInfo> probed,
                          probe_dynamic_outputs(*first_model, plans.feeds(), sources, batching.streamed, first_rows));
  LEANRT_ASSIGN_OR_RETURN(std::vector<data::OutputSpec> outputs, output_specs(*first_model, first_rows, plan, probed));
  if (request.format != data::OutputFormat::kNpy)
    LEANRT_RETURN_IF_ERROR(data::check_table_outputs(outputs, {request.format, request.top_k, nullptr}));
  RunSummary summary = describe_run(plan, *first_model, sources, inputs, outputs);

  // 3. The output directory: checked, locked, and the resume point found.
  const std::vector<std::string> final_paths = data::prediction_paths(request.output_dir, request.format, outputs);
  LEANRT_RETURN_IF_ERROR(prepare_output_dir(request, final_paths));
  LEANRT_ASSIGN_OR_RETURN(data::UniqueFd directory_lock, data::lock_output_directory(request.output_dir));
  const std::string state_path = data::run_state_path(request.output_dir);
  const std::string fingerprint = run_fingerprint(request, sources, outputs, plan);
  LEANRT_ASSIGN_OR_RETURN(std::optional<data::ResumePoint> resume,
                          find_resume_point(request, state_path, fingerprint, plan, final_paths));
  LEANRT_ASSIGN_OR_RETURN(auto writer, open_writer(request, outputs, sources, resume));

  // 4. The batches.
  std::vector<data::BatchInput> batch_inputs;
  for (size_t i = 0; i < inputs.size(); ++i)
    batch_inputs.push_back({inputs[i].name, std::move(sources[i]), inputs[i].dtype});
  const bool streamed = batching.streamed;
  data::InputBatcher batcher(std::move(batch_inputs), streamed ? plan.batch_rows : data::InputBatcher::kWholeArrays);
  RunContext run{request,     outputs, streamed, plan, plans, batcher, *writer, state_path, fingerprint,
                 /*save_state=*/streamed && plan.batches() > 1,
                 /*state_saved=*/resume.has_value(),  // the state on disk already describes the partial files
                 /*last_state_save=*/{}};
  summary.samples_resumed = resume ? resume->samples : 0;
  const int64_t first_batch = resume ? (resume->samples + plan.batch_rows - 1) / plan.batch_rows : 0;
  LEANRT_RETURN_IF_ERROR(run_batches(run, first_batch, summary));
  summary.samples_per_second = summary.seconds > 0 ? summary.samples_written / summary.seconds : 0;

  // 5. The files completed (or, when stopped, left valid for --resume).
  LEANRT_RETURN_IF_ERROR(complete_outputs(run, final_paths, summary));
  summary.plans_compiled = plans.compiled();
  summary.arena_bytes = plans.largest_arena_bytes();
  summary.dynamic_peak_bytes = plans.largest_dynamic_bytes();
  const ProcessMemory memory = read_process_memory();
  summary.peak_rss_bytes = memory.peak_rss_bytes;
  summary.rss_anon_bytes = memory.rss_anon_bytes;
  summary.rss_file_bytes = memory.rss_file_bytes;
  return summary;
}

std::string progress_line(const RunProgress& progress, size_t rss_bytes, int width) {
  const double fraction =
      progress.samples_total > 0 ? static_cast<double>(progress.samples_done) / progress.samples_total : 1.0;
  const int64_t done_here = progress.samples_done - progress.samples_resumed;
  const double rate = progress.seconds > 0 ? done_here / progress.seconds : 0.0;
  const int64_t remaining = progress.samples_total - progress.samples_done;
  std::string eta = "--:--";
  if (rate > 0) {
    const int64_t seconds = static_cast<int64_t>(remaining / rate + 0.5);
    eta = seconds >= 3600 ? fmt::format("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60)
                          : fmt::format("{}:{:02}", seconds / 60, seconds % 60);
  }
  const std::string figures = fmt::format(" {:3.0f}% {}/{} samples  {:.0f}/s  ETA {}  RSS {:.1f} MiB", fraction * 100,
                                          progress.samples_done, progress.samples_total, rate, eta,
                                          rss_bytes / 1048576.0);
  const int bar_width = std::max(0, std::min(30, width - static_cast<int>(figures.size()) - 2));
  if (bar_width < 5) return figures.substr(1, static_cast<size_t>(std::max(0, width)));
  const int filled = static_cast<int>(fraction * bar_width);
  return fmt::format("[{:#<{}}{:<{}}]{}", "", filled, "", bar_width - filled, figures);
}

}  // namespace leanrt::engine
