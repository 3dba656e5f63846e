#include "leanrt/data/npy.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <regex>

#include "leanrt/data/file_io.h"

namespace leanrt::data {
namespace {

constexpr char kMagic[] = "\x93NUMPY";

Expected<DType> dtype_from_descr(const std::string& descr, const std::string& path) {
  // '<f4', '|b1', '|u1', '<i8': byte order, kind, size.
  if (descr.size() < 3) return invalid_argument("{}: npy dtype '{}' is not understood", path, descr);
  const char order = descr[0];
  if (order == '>' && descr.substr(1) != "u1" && descr.substr(1) != "i1" && descr.substr(1) != "b1")
    return invalid_argument("{}: npy dtype '{}' is big-endian: expected little-endian ('<')", path, descr);
  const std::string kind = descr.substr(1);
  if (kind == "f4") return DType::kF32;
  if (kind == "f8") return DType::kF64;
  if (kind == "f2") return DType::kF16;
  if (kind == "i4") return DType::kI32;
  if (kind == "i8") return DType::kI64;
  if (kind == "i2") return DType::kI16;
  if (kind == "i1") return DType::kI8;
  if (kind == "u1") return DType::kU8;
  if (kind == "u2") return DType::kU16;
  if (kind == "u4") return DType::kU32;
  if (kind == "u8") return DType::kU64;
  if (kind == "b1") return DType::kBool;
  return invalid_argument("{}: npy dtype '{}' is not supported (numeric and bool arrays only)", path, descr);
}

std::string descr_of(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "<f4";
    case DType::kF64: return "<f8";
    case DType::kF16: return "<f2";
    case DType::kI32: return "<i4";
    case DType::kI64: return "<i8";
    case DType::kI16: return "<i2";
    case DType::kI8: return "|i1";
    case DType::kU8: return "|u1";
    case DType::kU16: return "<u2";
    case DType::kU32: return "<u4";
    case DType::kU64: return "<u8";
    case DType::kBool: return "|b1";
    default: return "|V1";
  }
}

}  // namespace

Expected<NpyHeader> parse_npy_header(const std::byte* bytes, size_t size, const std::string& path) {
  if (size < 10 || std::memcmp(bytes, kMagic, 6) != 0)
    return invalid_argument("{}: not an .npy file: expected the magic \\x93NUMPY, found {} bytes that do not start with it",
                            path, size);
  const unsigned major = static_cast<unsigned>(bytes[6]);
  size_t header_length = 0, header_start = 0;
  if (major == 1) {
    header_length = static_cast<size_t>(bytes[8]) | static_cast<size_t>(bytes[9]) << 8;
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) return invalid_argument("{}: truncated .npy header: {} bytes", path, size);
    header_length = 0;
    for (int i = 0; i < 4; ++i) header_length |= static_cast<size_t>(bytes[8 + i]) << (8 * i);
    header_start = 12;
  } else {
    return invalid_argument("{}: .npy format version {} is not supported (1, 2 or 3)", path, major);
  }
  if (header_start + header_length > size)
    return invalid_argument("{}: truncated .npy header: expected {} header bytes, found {}", path, header_length,
                            size - header_start);
  const std::string header(reinterpret_cast<const char*>(bytes) + header_start, header_length);
  static const std::regex descr_pattern(R"('descr'\s*:\s*'([^']*)')");
  static const std::regex fortran_pattern(R"('fortran_order'\s*:\s*(True|False))");
  static const std::regex shape_pattern(R"('shape'\s*:\s*\(([^)]*)\))");
  std::smatch descr, fortran, shape;
  if (!std::regex_search(header, descr, descr_pattern) || !std::regex_search(header, fortran, fortran_pattern) ||
      !std::regex_search(header, shape, shape_pattern))
    return invalid_argument("{}: malformed .npy header: expected descr, fortran_order and shape, found \"{}\"", path,
                            header);
  if (fortran[1] == "True")
    return invalid_argument("{}: array is in Fortran order: expected C order (use np.ascontiguousarray)", path);
  NpyHeader result;
  LEANRT_ASSIGN_OR_RETURN(result.dtype, dtype_from_descr(descr[1], path));
  const std::string dims = shape[1];
  static const std::regex dim_pattern(R"(\d+)");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), dim_pattern); it != std::sregex_iterator(); ++it)
    result.shape.push_back(std::stoll(it->str()));
  result.data_offset = header_start + header_length;
  return result;
}

Expected<NpyArray> read_npy(const std::string& path) {
  LEANRT_ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  LEANRT_ASSIGN_OR_RETURN(NpyHeader header, parse_npy_header(file->data(), file->size_bytes(), path));
  NpyArray array;
  array.dtype = header.dtype;
  array.shape = header.shape;
  array.data_offset = header.data_offset;
  array.data_bytes = static_cast<size_t>(num_elements(header.shape)) * dtype_size(header.dtype);
  const size_t available = file->size_bytes() - header.data_offset;
  if (available < array.data_bytes)
    return invalid_argument("{}: truncated .npy: shape {} {} needs {} data bytes, found {}", path,
                            shape_string(header.shape), dtype_name(header.dtype), array.data_bytes, available);
  array.data = file->data() + header.data_offset;
  array.file = std::move(file);
  return array;
}

namespace {

// The header dict, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 7), }
std::string npy_header_dict(DType dtype, const Shape& shape) {
  std::string dims;
  for (int64_t dim : shape) dims += std::to_string(dim) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);  // (3,) keeps its comma; (2, 3) does not end in one
  return "{'descr': '" + descr_of(dtype) + "', 'fortran_order': False, 'shape': (" + dims + "), }";
}

// Magic, version 1.0, the little-endian dict length, the dict padded with
// spaces and ended by '\n' so that the whole header is `header_bytes` long.
std::string npy_header_with_padding(const std::string& dict, size_t header_bytes) {
  constexpr size_t kPreamble = 10;  // magic (6), version (2), dict length (2)
  std::string padded = dict;
  padded.append(header_bytes - kPreamble - dict.size() - 1, ' ');
  padded.push_back('\n');
  std::string header(kMagic, 6);
  header.push_back('\x01');
  header.push_back('\x00');
  header.push_back(static_cast<char>(padded.size() & 0xff));
  header.push_back(static_cast<char>(padded.size() >> 8));
  return header + padded;
}

size_t round_up_to_64(size_t bytes) { return (bytes + 63) / 64 * 64; }

}  // namespace

std::string npy_header(DType dtype, const Shape& shape) {
  const std::string dict = npy_header_dict(dtype, shape);
  return npy_header_with_padding(dict, round_up_to_64(10 + dict.size() + 1));
}

Expected<std::string> npy_header_of_size(DType dtype, const Shape& shape, size_t header_bytes) {
  const std::string dict = npy_header_dict(dtype, shape);
  // Version 1.0 stores the dict length in 16 bits.
  if (header_bytes % 64 != 0 || 10 + dict.size() + 1 > header_bytes || header_bytes - 10 > 0xffff)
    return internal_error("npy header for shape {}: expected it to fit {} bytes, found {} needed",
                          shape_string(shape), header_bytes, 10 + dict.size() + 1);
  return npy_header_with_padding(dict, header_bytes);
}

size_t npy_header_bytes_for_any_leading_dim(DType dtype, const Shape& row_shape) {
  Shape widest{std::numeric_limits<int64_t>::max()};
  widest.insert(widest.end(), row_shape.begin(), row_shape.end());
  return round_up_to_64(10 + npy_header_dict(dtype, widest).size() + 1);
}

Status write_npy(const std::string& path, DType dtype, const Shape& shape, const void* data) {
  const std::string temporary = path + ".partial";
  const std::string header = npy_header(dtype, shape);
  const size_t data_bytes = static_cast<size_t>(num_elements(shape)) * dtype_size(dtype);
  return write_file_atomically(path, temporary, [&](int fd) -> Status {
    LEANRT_RETURN_IF_ERROR(write_all(fd, header.data(), header.size(), path));
    return write_all(fd, data, data_bytes, path);
  });
}

}  // namespace leanrt::data
