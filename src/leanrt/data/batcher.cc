#include "leanrt/data/batcher.h"

#include <cstring>

#include "leanrt/data/convert.h"

namespace leanrt::data {
namespace {

size_t row_elements(const SampleSource& source) {
  const size_t element_bytes = dtype_size(source.dtype());
  return element_bytes == 0 ? 0 : source.row_bytes() / element_bytes;
}

// Kernels read inputs through typed pointers: a mapped row that is not
// aligned to its element size (an odd npz member offset) is copied instead.
bool aligned_for(const void* pointer, DType dtype) {
  const size_t alignment = std::max<size_t>(dtype_size(dtype), 1);
  return reinterpret_cast<uintptr_t>(pointer) % alignment == 0;
}

}  // namespace

InputBatcher::InputBatcher(std::vector<BatchInput> inputs, int64_t max_rows) : max_rows_(max_rows) {
  for (BatchInput& spec : inputs) {
    spec.source->reserve_rows(max_rows == kWholeArrays ? spec.source->samples() : max_rows);
    inputs_.push_back({std::move(spec), AlignedBuffer()});
  }
  rows_.resize(inputs_.size(), nullptr);
}

Expected<const std::vector<const void*>*> InputBatcher::read(int64_t first, int64_t count) {
  for (size_t i = 0; i < inputs_.size(); ++i) LEANRT_RETURN_IF_ERROR(read_input(i, first, count));
  return &rows_;
}

Expected<const std::vector<const void*>*> InputBatcher::read_all() {
  for (size_t i = 0; i < inputs_.size(); ++i) LEANRT_RETURN_IF_ERROR(read_input(i, 0, inputs_[i].spec.source->samples()));
  return &rows_;
}

Status InputBatcher::read_input(size_t index, int64_t first, int64_t count) {
  Input& input = inputs_[index];
  LEANRT_ASSIGN_OR_RETURN(const std::byte* rows, input.spec.source->read_rows(first, count));
  if (input.spec.source->dtype() == input.spec.model_dtype && aligned_for(rows, input.spec.model_dtype)) {
    rows_[index] = rows;
    return Status::ok();
  }
  LEANRT_RETURN_IF_ERROR(convert_rows(input, rows, first, count));
  rows_[index] = input.converted.data();
  return Status::ok();
}

int64_t InputBatcher::capacity_rows(const Input& input) const {
  return max_rows_ == kWholeArrays ? input.spec.source->samples() : max_rows_;
}

Status InputBatcher::convert_rows(Input& input, const std::byte* rows, int64_t first, int64_t count) {
  const SampleSource& source = *input.spec.source;
  const size_t elements_per_row = row_elements(source);
  if (input.converted.size_bytes() == 0)  // first use: one buffer for the largest batch
    input.converted =
        AlignedBuffer(std::max<size_t>(
            static_cast<size_t>(capacity_rows(input)) * elements_per_row * dtype_size(input.spec.model_dtype), 1));
  const int64_t elements = count * static_cast<int64_t>(elements_per_row);
  const std::optional<int64_t> bad =
      convert_elements(rows, source.dtype(), input.converted.data(), input.spec.model_dtype, elements);
  if (!bad) return Status::ok();
  const int64_t sample = first + (elements_per_row ? *bad / static_cast<int64_t>(elements_per_row) : 0);
  return invalid_argument("{}: input \"{}\" sample {}: value {} does not fit {}", source.name(),
                          input.spec.input_name, sample, element_text(rows, source.dtype(), *bad),
                          dtype_name(input.spec.model_dtype));
}

void InputBatcher::release_before(int64_t end) {
  for (Input& input : inputs_) input.spec.source->release_rows_before(end);
}

}  // namespace leanrt::data
