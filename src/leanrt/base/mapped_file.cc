#include "leanrt/base/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace leanrt {

Expected<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("{}: cannot open: {}", path, std::strerror(errno));
  struct stat info {};
  if (fstat(fd, &info) != 0) {
    int saved = errno;
    ::close(fd);
    return io_error("{}: cannot stat: {}", path, std::strerror(saved));
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    return io_error("{}: expected a file, found a directory", path);
  }
  size_t size_bytes = static_cast<size_t>(info.st_size);
  const std::byte* data = nullptr;
  if (size_bytes > 0) {
    void* mapped = mmap(nullptr, size_bytes, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapped == MAP_FAILED) {
      int saved = errno;
      ::close(fd);
      return io_error("{}: cannot mmap {} bytes: {}", path, size_bytes, std::strerror(saved));
    }
    data = static_cast<const std::byte*>(mapped);
  }
  ::close(fd);  // the mapping keeps the file open
  return std::shared_ptr<MappedFile>(new MappedFile(path, data, size_bytes));
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) munmap(const_cast<std::byte*>(data_), size_bytes_);
}

void MappedFile::release_pages(size_t offset, size_t bytes) const {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t first = (offset + page - 1) / page * page;  // only whole pages inside the range
  size_t last = (offset + bytes) / page * page;
  if (last > size_bytes_) last = size_bytes_ / page * page;
  if (last <= first) return;
  madvise(const_cast<std::byte*>(data_) + first, last - first, MADV_DONTNEED);
}

AlignedBuffer::AlignedBuffer(size_t size_bytes) : size_bytes_(size_bytes) {
  size_t rounded = (size_bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0) rounded = kAlignment;
  data_ = static_cast<std::byte*>(std::aligned_alloc(kAlignment, rounded));
  if (data_ == nullptr) std::abort();  // out of memory: nothing sensible to return
}

AlignedBuffer::~AlignedBuffer() { std::free(data_); }

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : data_(other.data_), size_bytes_(other.size_bytes_) {
  other.data_ = nullptr;
  other.size_bytes_ = 0;
}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = other.data_;
    size_bytes_ = other.size_bytes_;
    other.data_ = nullptr;
    other.size_bytes_ = 0;
  }
  return *this;
}

ConstBytes ConstBytes::view_of(const std::shared_ptr<MappedFile>& file, size_t offset, size_t bytes) {
  return ConstBytes{file, file->data() + offset, bytes, true};
}

ConstBytes ConstBytes::own(AlignedBuffer buffer) {
  auto owner = std::make_shared<AlignedBuffer>(std::move(buffer));
  return ConstBytes{owner, owner->data(), owner->size_bytes(), false};
}

ConstBytes ConstBytes::copy_of(const void* data, size_t bytes) {
  AlignedBuffer buffer(bytes);
  if (bytes > 0) std::memcpy(buffer.data(), data, bytes);
  return own(std::move(buffer));
}

Expected<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("{}: cannot open: {}", path, std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return io_error("{}: read failed", path);
  return text.str();
}

}  // namespace leanrt
