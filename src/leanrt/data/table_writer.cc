// The csv and jsonl prediction writers: one text row per sample, formatted a
// batch at a time into a reused buffer and written with one write().
#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "leanrt/base/half.h"
#include "leanrt/data/partial_file.h"
#include "leanrt/data/prediction_writer.h"

namespace leanrt::data {
namespace {

int64_t row_elements(const OutputSpec& output) { return num_elements(output.row_shape); }

double number_at(const void* data, DType dtype, int64_t index) {
  switch (dtype) {
    case DType::kF32: return static_cast<const float*>(data)[index];
    case DType::kF64: return static_cast<const double*>(data)[index];
    case DType::kF16: return half_to_float(static_cast<const uint16_t*>(data)[index]);
    default: return 0.0;
  }
}

// Numbers as numpy prints them: shortest round-trip floats, plain integers;
// JSON has no NaN or infinity, so those become null there.
void append_value(std::string& text, const void* data, DType dtype, int64_t index, bool json) {
  auto out = std::back_inserter(text);
  switch (dtype) {
    case DType::kF32:
    case DType::kF16: {
      const float value = static_cast<float>(number_at(data, dtype, index));
      if (json && !std::isfinite(value)) text += "null";
      else fmt::format_to(out, "{}", value);
      return;
    }
    case DType::kF64: {
      const double value = static_cast<const double*>(data)[index];
      if (json && !std::isfinite(value)) text += "null";
      else fmt::format_to(out, "{}", value);
      return;
    }
    case DType::kI8: fmt::format_to(out, "{}", static_cast<const int8_t*>(data)[index]); return;
    case DType::kU8: fmt::format_to(out, "{}", static_cast<const uint8_t*>(data)[index]); return;
    case DType::kI16: fmt::format_to(out, "{}", static_cast<const int16_t*>(data)[index]); return;
    case DType::kU16: fmt::format_to(out, "{}", static_cast<const uint16_t*>(data)[index]); return;
    case DType::kI32: fmt::format_to(out, "{}", static_cast<const int32_t*>(data)[index]); return;
    case DType::kU32: fmt::format_to(out, "{}", static_cast<const uint32_t*>(data)[index]); return;
    case DType::kI64: fmt::format_to(out, "{}", static_cast<const int64_t*>(data)[index]); return;
    case DType::kU64: fmt::format_to(out, "{}", static_cast<const uint64_t*>(data)[index]); return;
    case DType::kBool: text += static_cast<const bool*>(data)[index] ? "true" : "false"; return;
    default: text += json ? "null" : ""; return;
  }
}

void append_json_string(std::string& text, const std::string& value) {
  text += '"';
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      text += '\\';
      text += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      fmt::format_to(std::back_inserter(text), "\\u{:04x}", static_cast<unsigned char>(c));
    } else {
      text += c;
    }
  }
  text += '"';
}

// RFC 4180: a field holding a comma, quote or line break is quoted, quotes doubled.
void append_csv_field(std::string& text, const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) {
    text += value;
    return;
  }
  text += '"';
  for (const char c : value) {
    if (c == '"') text += '"';
    text += c;
  }
  text += '"';
}

// A row's values as nested JSON arrays following its shape.
void append_json_array(std::string& text, const void* data, DType dtype, const Shape& shape, size_t axis,
                       int64_t& index) {
  if (axis == shape.size()) {
    append_value(text, data, dtype, index++, /*json=*/true);
    return;
  }
  text += '[';
  for (int64_t i = 0; i < shape[axis]; ++i) {
    if (i) text += ", ";
    append_json_array(text, data, dtype, shape, axis + 1, index);
  }
  text += ']';
}

class TablePredictionWriter final : public PredictionWriter {
 public:
  TablePredictionWriter(PartialOutputFile file, std::vector<OutputSpec> outputs, TableOptions options)
      : file_(std::move(file)), outputs_(std::move(outputs)), options_(std::move(options)) {
    int64_t widest = 0;
    for (const OutputSpec& output : outputs_) widest = std::max(widest, row_elements(output));
    class_order_.resize(static_cast<size_t>(widest));
  }

  Status write_column_names() {
    if (options_.format != OutputFormat::kCsv) return Status::ok();
    text_ = "index";
    if (options_.sample_label) text_ += ",path";
    for (const OutputSpec& output : outputs_) {
      const int64_t elements = row_elements(output);
      for (int64_t j = 0; j < (options_.top_k ? options_.top_k : elements); ++j) {
        text_ += ',';
        if (options_.top_k) {
          append_csv_field(text_, fmt::format("{}_top{}_class", output.name, j + 1));
          text_ += ',';
          append_csv_field(text_, fmt::format("{}_top{}_score", output.name, j + 1));
        } else {
          append_csv_field(text_, elements == 1 ? output.name : fmt::format("{}_{}", output.name, j));
        }
      }
    }
    text_ += '\n';
    return file_.append(text_.data(), text_.size());
  }

  Status append(const std::vector<const void*>& outputs, int64_t first_sample, int64_t rows) override {
    text_.clear();
    for (int64_t row = 0; row < rows; ++row) {
      if (options_.format == OutputFormat::kCsv) append_csv_row(outputs, first_sample, row);
      else append_json_row(outputs, first_sample, row);
    }
    return file_.append(text_.data(), text_.size());
  }

  Status write_headers() override { return Status::ok(); }  // a text table is valid after every row
  Status finish() override { return file_.finish(); }
  std::vector<PartialFile> partial_files() const override { return {{file_.partial_path(), file_.bytes()}}; }

 private:
  const void* row_data(const void* output, size_t k, int64_t row) const {
    const size_t row_bytes = static_cast<size_t>(row_elements(outputs_[k])) * dtype_size(outputs_[k].dtype);
    return static_cast<const std::byte*>(output) + static_cast<size_t>(row) * row_bytes;
  }

  // The top_k class indices of one row, best first; ties keep the lower
  // index first and NaN scores sort last, so the order is deterministic.
  void rank_classes(const void* row, DType dtype, int64_t classes) {
    for (int64_t c = 0; c < classes; ++c) class_order_[c] = c;
    auto better = [&](int64_t a, int64_t b) {
      const double score_a = number_at(row, dtype, a), score_b = number_at(row, dtype, b);
      const bool nan_a = std::isnan(score_a), nan_b = std::isnan(score_b);
      if (nan_a != nan_b) return nan_b;
      if (!nan_a && score_a != score_b) return score_a > score_b;
      return a < b;
    };
    std::partial_sort(class_order_.begin(), class_order_.begin() + options_.top_k, class_order_.begin() + classes,
                      better);
  }

  void append_csv_row(const std::vector<const void*>& outputs, int64_t first_sample, int64_t row) {
    fmt::format_to(std::back_inserter(text_), "{}", first_sample + row);
    if (options_.sample_label) {
      text_ += ',';
      append_csv_field(text_, options_.sample_label(first_sample + row));
    }
    for (size_t k = 0; k < outputs_.size(); ++k) {
      const void* data = row_data(outputs[k], k, row);
      const int64_t elements = row_elements(outputs_[k]);
      if (options_.top_k) {
        rank_classes(data, outputs_[k].dtype, elements);
        for (int64_t j = 0; j < options_.top_k; ++j) {
          fmt::format_to(std::back_inserter(text_), ",{},", class_order_[j]);
          append_value(text_, data, outputs_[k].dtype, class_order_[j], /*json=*/false);
        }
        continue;
      }
      for (int64_t j = 0; j < elements; ++j) {
        text_ += ',';
        append_value(text_, data, outputs_[k].dtype, j, /*json=*/false);
      }
    }
    text_ += '\n';
  }

  void append_json_row(const std::vector<const void*>& outputs, int64_t first_sample, int64_t row) {
    fmt::format_to(std::back_inserter(text_), "{{\"index\": {}", first_sample + row);
    if (options_.sample_label) {
      text_ += ", \"path\": ";
      append_json_string(text_, options_.sample_label(first_sample + row));
    }
    for (size_t k = 0; k < outputs_.size(); ++k) {
      const OutputSpec& output = outputs_[k];
      const void* data = row_data(outputs[k], k, row);
      text_ += ", ";
      append_json_string(text_, output.name);
      text_ += ": ";
      if (options_.top_k) {
        rank_classes(data, output.dtype, row_elements(output));
        text_ += "{\"classes\": [";
        for (int64_t j = 0; j < options_.top_k; ++j) fmt::format_to(std::back_inserter(text_), "{}{}", j ? ", " : "", class_order_[j]);
        text_ += "], \"scores\": [";
        for (int64_t j = 0; j < options_.top_k; ++j) {
          if (j) text_ += ", ";
          append_value(text_, data, output.dtype, class_order_[j], /*json=*/true);
        }
        text_ += "]}";
        continue;
      }
      int64_t index = 0;
      append_json_array(text_, data, output.dtype, output.row_shape, 0, index);
    }
    text_ += "}\n";
  }

  PartialOutputFile file_;
  std::vector<OutputSpec> outputs_;
  TableOptions options_;
  std::string text_;                   // one batch of rows; keeps its capacity between batches
  std::vector<int64_t> class_order_;  // top-k scratch, sized once
};

}  // namespace

Status check_table_outputs(const std::vector<OutputSpec>& outputs, const TableOptions& options) {
  const char* format = options.format == OutputFormat::kCsv ? "csv" : "jsonl";
  if (options.top_k < 0) return invalid_argument("--top-k {}: expected a count >= 1", options.top_k);
  for (const OutputSpec& output : outputs) {
    if (!output.rows_axis)
      return invalid_argument("--format {}: output \"{}\" has no per-sample leading axis (shape {}): expected one "
                              "row per sample; use --format npy",
                              format, output.name, shape_string(output.row_shape));
    if (options.top_k == 0) continue;
    if (!dtype_is_float(output.dtype))
      return invalid_argument("--top-k {}: output \"{}\": expected float scores, found {}", options.top_k,
                              output.name, dtype_name(output.dtype));
    if (row_elements(output) < options.top_k)
      return invalid_argument("--top-k {}: output \"{}\" [N, {}]: expected at least {} classes, found {}",
                              options.top_k, output.name, fmt::join(output.row_shape, ", "), options.top_k,
                              row_elements(output));
  }
  return Status::ok();
}

Expected<std::unique_ptr<PredictionWriter>> open_table_writer(const std::string& output_dir,
                                                              const std::vector<OutputSpec>& outputs,
                                                              const TableOptions& options,
                                                              const std::optional<ResumePoint>& resume) {
  LEANRT_RETURN_IF_ERROR(check_table_outputs(outputs, options));
  const std::string path = prediction_paths(output_dir, options.format, outputs)[0];
  if (resume) {
    if (resume->files.size() != 1)
      return invalid_argument("{}: cannot resume: the resume state lists {} files, this run writes 1", output_dir,
                              resume->files.size());
    LEANRT_ASSIGN_OR_RETURN(PartialOutputFile file, PartialOutputFile::reopen(path, resume->files[0].bytes));
    return std::unique_ptr<PredictionWriter>(new TablePredictionWriter(std::move(file), outputs, options));
  }
  LEANRT_ASSIGN_OR_RETURN(PartialOutputFile file, PartialOutputFile::create(path));
  auto writer = std::make_unique<TablePredictionWriter>(std::move(file), outputs, options);
  LEANRT_RETURN_IF_ERROR(writer->write_column_names());
  return std::unique_ptr<PredictionWriter>(std::move(writer));
}

}  // namespace leanrt::data
