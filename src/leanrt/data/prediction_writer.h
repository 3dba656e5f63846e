// Streamed outputs: predictions are written batch by batch with write(), so
// nothing accumulates in memory, into temporary files ("<final>.partial")
// that are renamed into place only when complete. A failure or a kill never
// leaves a file at the final path; an interrupted run can be resumed from the
// partial files' committed lengths.
//
//   std::vector<OutputSpec> outputs = {{"Identity", DType::kF32, {7}}};
//   LEANRT_ASSIGN_OR_RETURN(auto writer, open_npy_writer("out", outputs, std::nullopt));
//   LEANRT_RETURN_IF_ERROR(writer->append({logits}, /*first_sample=*/0, /*rows=*/32));
//   ...
//   LEANRT_RETURN_IF_ERROR(writer->finish());   // out/Identity.npy, shape [N, 7]
//
// Formats:
//   npy    one file per output, DIR/<tensor name, chars outside [A-Za-z0-9._-] as '_'>.npy;
//          the header is reserved at the start and rewritten with the final
//          leading dim at finish (and at write_headers, so a stopped run's
//          partial files are valid .npy arrays of the rows so far).
//   csv    DIR/predictions.csv: index[,path], then each output's values
//          flattened (or its top-k classes and scores), one row per sample.
//   jsonl  DIR/predictions.jsonl: one JSON object per sample.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "leanrt/base/dtype.h"
#include "leanrt/base/shape.h"
#include "leanrt/base/status.h"

namespace leanrt::data {

enum class OutputFormat { kNpy, kCsv, kJsonl };

struct OutputSpec {
  std::string name;  // the tensor name
  DType dtype = DType::kInvalid;
  // With `rows_axis`, the shape of one sample's output (the file holds
  // [samples] + row_shape). Without it, the whole output, written once.
  Shape row_shape;
  bool rows_axis = true;
};

// A file being written and how many of its bytes are complete.
struct PartialFile {
  std::string path;
  uint64_t bytes = 0;
};

// Where a resumed run picks up: the samples already written and the
// committed length of each partial file (bytes past it are a batch that was
// cut short, and are dropped).
struct ResumePoint {
  int64_t samples = 0;
  std::vector<PartialFile> files;
};

class PredictionWriter {
 public:
  virtual ~PredictionWriter() = default;
  // Appends rows [first_sample, first_sample + rows) of every output;
  // `outputs[k]` points at rows * row bytes of output k, C order.
  virtual Status append(const std::vector<const void*>& outputs, int64_t first_sample, int64_t rows) = 0;
  // Makes every partial file valid as it stands (npy headers say the rows so far).
  virtual Status write_headers() = 0;
  // Completes the files (headers, fdatasync) and renames them into place.
  virtual Status finish() = 0;
  // The temporary files and their committed lengths, for the resume state.
  virtual std::vector<PartialFile> partial_files() const = 0;
};

// The file name an output tensor is written to in npy format: every
// character outside [A-Za-z0-9._-] replaced by '_', plus ".npy".
std::string npy_file_name(const std::string& tensor_name);
// The final paths a run writes in `format`, in output order (npy) or the one table.
std::vector<std::string> prediction_paths(const std::string& output_dir, OutputFormat format,
                                          const std::vector<OutputSpec>& outputs);
std::string partial_path_of(const std::string& final_path);

Expected<std::unique_ptr<PredictionWriter>> open_npy_writer(const std::string& output_dir,
                                                             const std::vector<OutputSpec>& outputs,
                                                             const std::optional<ResumePoint>& resume);

struct TableOptions {
  OutputFormat format = OutputFormat::kCsv;  // kCsv or kJsonl
  int64_t top_k = 0;                         // 0: every value; else the k best classes per output
  // A label per sample (the image file), written as the "path" column; null: none.
  std::function<std::string(int64_t sample)> sample_label;
};

// Checks that `outputs` suit a table: one row per sample, and with top_k, float
// scores with at least k classes per row.
Status check_table_outputs(const std::vector<OutputSpec>& outputs, const TableOptions& options);

Expected<std::unique_ptr<PredictionWriter>> open_table_writer(const std::string& output_dir,
                                                              const std::vector<OutputSpec>& outputs,
                                                              const TableOptions& options,
                                                              const std::optional<ResumePoint>& resume);

}  // namespace leanrt::data
