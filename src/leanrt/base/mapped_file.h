// MappedFile: a read-only mmap of a whole file, the owner of its pages.
// AlignedBuffer: owned, 64-byte aligned heap memory.
// ConstBytes: a shared, immutable view of bytes that keeps its owner alive
// (a MappedFile or an AlignedBuffer), used for constant tensors.
//
//   LEANRT_ASSIGN_OR_RETURN(auto file, MappedFile::open("model.bin"));
//   ConstBytes weights = ConstBytes::view_of(file, offset, bytes);
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "leanrt/base/status.h"

namespace leanrt {

class MappedFile {
 public:
  static Expected<std::shared_ptr<MappedFile>> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::byte* data() const { return data_; }
  size_t size_bytes() const { return size_bytes_; }
  const std::string& path() const { return path_; }
  // Tells the kernel the pages in [offset, offset+bytes) will not be read
  // again soon, so they leave RSS (they come back from the file if needed).
  void release_pages(size_t offset, size_t bytes) const;

 private:
  MappedFile(std::string path, const std::byte* data, size_t size_bytes)
      : path_(std::move(path)), data_(data), size_bytes_(size_bytes) {}
  std::string path_;
  const std::byte* data_ = nullptr;
  size_t size_bytes_ = 0;
};

class AlignedBuffer {
 public:
  static constexpr size_t kAlignment = 64;
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t size_bytes);
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  std::byte* data() { return data_; }
  const std::byte* data() const { return data_; }
  size_t size_bytes() const { return size_bytes_; }

 private:
  std::byte* data_ = nullptr;
  size_t size_bytes_ = 0;
};

struct ConstBytes {
  std::shared_ptr<const void> owner;
  const std::byte* data = nullptr;
  size_t size_bytes = 0;
  // True when the bytes are pages of a file mapping (not anonymous memory).
  bool file_mapped = false;

  static ConstBytes view_of(const std::shared_ptr<MappedFile>& file, size_t offset, size_t bytes);
  // Takes ownership of a buffer filled by the caller.
  static ConstBytes own(AlignedBuffer buffer);
  static ConstBytes copy_of(const void* data, size_t bytes);
  template <typename T>
  const T* as() const { return reinterpret_cast<const T*>(data); }
};

// Reads a whole (small) file into a string.
Expected<std::string> read_text_file(const std::string& path);

}  // namespace leanrt
