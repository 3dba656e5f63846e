#include "leanrt/data/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace leanrt::data {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Status UniqueFd::close(const std::string& path) {
  if (fd_ < 0) return Status::ok();
  const int result = ::close(release());
  if (result != 0) return io_error("{}: close failed: {}", path, std::strerror(errno));
  return Status::ok();
}

Expected<UniqueFd> open_for_writing(const std::string& path, bool truncate) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return io_error("{}: cannot write: {}", path, std::strerror(errno));
  return UniqueFd(fd);
}

Status write_all(int fd, const void* bytes, size_t count, const std::string& path) {
  const char* cursor = static_cast<const char*>(bytes);
  while (count > 0) {
    const ssize_t written = ::write(fd, cursor, count);
    if (written < 0) {
      if (errno == EINTR) continue;
      return io_error("{}: write failed: {}", path, std::strerror(errno));
    }
    cursor += written;
    count -= static_cast<size_t>(written);
  }
  return Status::ok();
}

Status pwrite_all(int fd, const void* bytes, size_t count, uint64_t offset, const std::string& path) {
  const char* cursor = static_cast<const char*>(bytes);
  while (count > 0) {
    const ssize_t written = ::pwrite(fd, cursor, count, static_cast<off_t>(offset));
    if (written < 0) {
      if (errno == EINTR) continue;
      return io_error("{}: write failed: {}", path, std::strerror(errno));
    }
    cursor += written;
    offset += static_cast<uint64_t>(written);
    count -= static_cast<size_t>(written);
  }
  return Status::ok();
}

Status write_file_atomically(const std::string& path, const std::string& temporary,
                             const std::function<Status(int fd)>& write) {
  Status written = [&]() -> Status {
    LEANRT_ASSIGN_OR_RETURN(UniqueFd fd, open_for_writing(temporary, /*truncate=*/true));
    LEANRT_RETURN_IF_ERROR(write(fd.get()));
    return fd.close(temporary);
  }();
  if (!written.is_ok()) {
    ::unlink(temporary.c_str());
    return written;
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    return io_error("{}: cannot rename into place: {}", path, std::strerror(saved));
  }
  return Status::ok();
}

Status replace_file_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  return write_file_atomically(path, temporary,
                               [&](int fd) { return write_all(fd, text.data(), text.size(), temporary); });
}

Expected<uint64_t> file_size(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return io_error("{}: cannot stat: {}", path, std::strerror(errno));
  return static_cast<uint64_t>(info.st_size);
}

}  // namespace leanrt::data
