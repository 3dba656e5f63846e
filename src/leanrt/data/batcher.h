// Batching over the leading axis: which rows each batch holds, and the rows
// of every model input for a batch, read from their sources and converted to
// the dtypes the model declares.
//
//   BatchPlan plan{/*samples=*/100, /*batch_rows=*/32};   // 32, 32, 32, 4
//   InputBatcher batcher(std::move(inputs), plan.batch_rows);
//   for (int64_t b = 0; b < plan.batches(); ++b) {
//     LEANRT_ASSIGN_OR_RETURN(auto rows, batcher.read(plan.first_row(b), plan.rows_in(b)));
//     ... model->set_input(i, (*rows)[i]) ... run ...
//     batcher.release_before(plan.first_row(b) + plan.rows_in(b));
//   }
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "leanrt/data/sample_source.h"

namespace leanrt::data {

struct BatchPlan {
  int64_t samples = 0;
  int64_t batch_rows = 1;

  int64_t batches() const { return batch_rows > 0 ? (samples + batch_rows - 1) / batch_rows : 0; }
  int64_t first_row(int64_t batch) const { return batch * batch_rows; }
  // The last batch holds what is left.
  int64_t rows_in(int64_t batch) const { return std::min(batch_rows, samples - first_row(batch)); }
};

struct BatchInput {
  std::string input_name;  // the model input it feeds, for errors
  SampleSourcePtr source;
  DType model_dtype = DType::kInvalid;  // can_convert(source dtype, model_dtype) must hold
};

class InputBatcher {
 public:
  // `max_rows`: the most rows any read asks for, or kWholeArrays when the
  // model runs once over each input whole (read_all).
  static constexpr int64_t kWholeArrays = -1;
  InputBatcher(std::vector<BatchInput> inputs, int64_t max_rows);

  size_t size() const { return inputs_.size(); }
  const SampleSource& source(size_t index) const { return *inputs_[index].spec.source; }

  // Rows [first, first + count) of each input in its model dtype: pointers
  // into the mapped file when the bytes already are what the model reads,
  // else into one owned, converted batch buffer per input. Valid until the
  // next read. Errors name the file, the input and the sample.
  Expected<const std::vector<const void*>*> read(int64_t first, int64_t count);
  // Every input whole, each with its own number of rows.
  Expected<const std::vector<const void*>*> read_all();
  // Every row before `end` has been consumed.
  void release_before(int64_t end);

 private:
  struct Input {
    BatchInput spec;
    AlignedBuffer converted;  // max_rows rows in the model dtype, when a copy is needed
  };
  Status read_input(size_t index, int64_t first, int64_t count);
  Status convert_rows(Input& input, const std::byte* rows, int64_t first, int64_t count);
  int64_t capacity_rows(const Input& input) const;

  std::vector<Input> inputs_;
  std::vector<const void*> rows_;
  int64_t max_rows_;
};

}  // namespace leanrt::data
