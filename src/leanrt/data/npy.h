// .npy files: read through mmap (zero-copy), written whole and atomically.
// Streaming writers (npy_writer.h) use npy_header_of_size to reserve the
// header once and rewrite it in place when the leading dim is known.
//
//   LEANRT_ASSIGN_OR_RETURN(NpyArray x, read_npy("in.npy"));
//   LEANRT_RETURN_IF_ERROR(write_npy("out.npy", DType::kF32, {1, 7}, data));
#pragma once

#include <memory>
#include <string>

#include "leanrt/base/dtype.h"
#include "leanrt/base/mapped_file.h"
#include "leanrt/base/shape.h"

namespace leanrt::data {

struct NpyArray {
  std::shared_ptr<MappedFile> file;
  DType dtype = DType::kInvalid;
  Shape shape;
  const std::byte* data = nullptr;  // inside `file`, C order, little-endian
  size_t data_bytes = 0;
  size_t data_offset = 0;  // bytes from the file start to the data
};

struct NpyHeader {
  DType dtype = DType::kInvalid;
  Shape shape;
  size_t data_offset = 0;
};

// Parses the header at the start of `bytes`; `path` names the file in errors.
Expected<NpyHeader> parse_npy_header(const std::byte* bytes, size_t size, const std::string& path);
// Maps the file and checks its header and length.
Expected<NpyArray> read_npy(const std::string& path);
// The header bytes for an array (version 1.0, padded to 64 bytes).
std::string npy_header(DType dtype, const Shape& shape);
// The same header padded with spaces to exactly `header_bytes` (a multiple
// of 64), so it can be rewritten in place once the final shape is known;
// fails when the shape does not fit.
Expected<std::string> npy_header_of_size(DType dtype, const Shape& shape, size_t header_bytes);
// Bytes a streamed array's header needs so that any leading dim fits.
size_t npy_header_bytes_for_any_leading_dim(DType dtype, const Shape& row_shape);
// Writes to a temporary file beside `path` and renames it into place, so a
// failure never leaves a partial file at `path`.
Status write_npy(const std::string& path, DType dtype, const Shape& shape, const void* data);

}  // namespace leanrt::data
