// The npy prediction writer: one streamed .npy per output.
#include "leanrt/data/npy.h"
#include "leanrt/data/partial_file.h"
#include "leanrt/data/prediction_writer.h"

namespace leanrt::data {

std::string npy_file_name(const std::string& tensor_name) {
  std::string name = tensor_name;
  for (char& c : name) {
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
    if (!keep) c = '_';
  }
  return name + ".npy";
}

std::vector<std::string> prediction_paths(const std::string& output_dir, OutputFormat format,
                                          const std::vector<OutputSpec>& outputs) {
  switch (format) {
    case OutputFormat::kCsv: return {output_dir + "/predictions.csv"};
    case OutputFormat::kJsonl: return {output_dir + "/predictions.jsonl"};
    case OutputFormat::kNpy: break;
  }
  std::vector<std::string> paths;
  for (const OutputSpec& output : outputs) paths.push_back(output_dir + "/" + npy_file_name(output.name));
  return paths;
}

namespace {

// One output's .npy: a header reserved wide enough for any leading dim, then
// rows appended as they come. The header is rewritten in place, at the same
// length, whenever the file must be valid as it stands.
class NpyStreamFile {
 public:
  static Expected<NpyStreamFile> open(const std::string& final_path, const OutputSpec& spec,
                                      const PartialFile* resume_from, int64_t resume_rows) {
    const size_t header_bytes = spec.rows_axis ? npy_header_bytes_for_any_leading_dim(spec.dtype, spec.row_shape)
                                               : npy_header(spec.dtype, spec.row_shape).size();
    if (resume_from == nullptr) {
      LEANRT_ASSIGN_OR_RETURN(PartialOutputFile file, PartialOutputFile::create(final_path));
      NpyStreamFile stream(std::move(file), spec, header_bytes, 0);
      LEANRT_RETURN_IF_ERROR(stream.write_header());
      return stream;
    }
    const uint64_t expected_bytes = header_bytes + static_cast<uint64_t>(resume_rows) * stream_row_bytes(spec);
    if (resume_from->bytes != expected_bytes)
      return invalid_argument("{}: cannot resume: expected {} bytes for {} rows of {} {}, the resume state says {}",
                              partial_path_of(final_path), expected_bytes, resume_rows, shape_string(spec.row_shape),
                              dtype_name(spec.dtype), resume_from->bytes);
    LEANRT_ASSIGN_OR_RETURN(PartialOutputFile file, PartialOutputFile::reopen(final_path, resume_from->bytes));
    return NpyStreamFile(std::move(file), spec, header_bytes, resume_rows);
  }

  Status append(const void* rows, int64_t count) {
    if (!spec_.rows_axis) count = 1;  // the whole tensor, written once
    LEANRT_RETURN_IF_ERROR(file_.append(rows, static_cast<size_t>(count) * stream_row_bytes(spec_)));
    rows_ += count;
    return Status::ok();
  }

  Status write_header() {
    Shape shape = spec_.row_shape;
    if (spec_.rows_axis) shape.insert(shape.begin(), rows_);
    LEANRT_ASSIGN_OR_RETURN(std::string header, npy_header_of_size(spec_.dtype, shape, header_bytes_));
    if (file_.bytes() == 0) return file_.append(header.data(), header.size());
    return file_.write_at(header.data(), header.size(), 0);
  }

  Status finish() {
    LEANRT_RETURN_IF_ERROR(write_header());
    return file_.finish();
  }

  PartialFile partial() const { return {file_.partial_path(), file_.bytes()}; }

 private:
  NpyStreamFile(PartialOutputFile file, OutputSpec spec, size_t header_bytes, int64_t rows)
      : file_(std::move(file)), spec_(std::move(spec)), header_bytes_(header_bytes), rows_(rows) {}

  static uint64_t stream_row_bytes(const OutputSpec& spec) {
    return static_cast<uint64_t>(num_elements(spec.row_shape)) * dtype_size(spec.dtype);
  }

  PartialOutputFile file_;
  OutputSpec spec_;
  size_t header_bytes_;
  int64_t rows_;
};

class NpyPredictionWriter final : public PredictionWriter {
 public:
  explicit NpyPredictionWriter(std::vector<NpyStreamFile> files) : files_(std::move(files)) {}

  Status append(const std::vector<const void*>& outputs, int64_t, int64_t rows) override {
    for (size_t k = 0; k < files_.size(); ++k) LEANRT_RETURN_IF_ERROR(files_[k].append(outputs[k], rows));
    return Status::ok();
  }

  Status write_headers() override {
    for (NpyStreamFile& file : files_) LEANRT_RETURN_IF_ERROR(file.write_header());
    return Status::ok();
  }

  Status finish() override {
    for (NpyStreamFile& file : files_) LEANRT_RETURN_IF_ERROR(file.finish());
    return Status::ok();
  }

  std::vector<PartialFile> partial_files() const override {
    std::vector<PartialFile> partials;
    for (const NpyStreamFile& file : files_) partials.push_back(file.partial());
    return partials;
  }

 private:
  std::vector<NpyStreamFile> files_;
};

}  // namespace

Expected<std::unique_ptr<PredictionWriter>> open_npy_writer(const std::string& output_dir,
                                                             const std::vector<OutputSpec>& outputs,
                                                             const std::optional<ResumePoint>& resume) {
  const std::vector<std::string> paths = prediction_paths(output_dir, OutputFormat::kNpy, outputs);
  if (resume && resume->files.size() != outputs.size())
    return invalid_argument("{}: cannot resume: the resume state lists {} files, this run writes {}", output_dir,
                            resume->files.size(), outputs.size());
  std::vector<NpyStreamFile> files;
  for (size_t k = 0; k < outputs.size(); ++k) {
    const PartialFile* resume_from = resume ? &resume->files[k] : nullptr;
    LEANRT_ASSIGN_OR_RETURN(NpyStreamFile file,
                            NpyStreamFile::open(paths[k], outputs[k], resume_from, resume ? resume->samples : 0));
    files.push_back(std::move(file));
  }
  return std::unique_ptr<PredictionWriter>(new NpyPredictionWriter(std::move(files)));
}

}  // namespace leanrt::data
