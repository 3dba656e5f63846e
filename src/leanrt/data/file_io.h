// Small POSIX file helpers the readers and writers share: an owning file
// descriptor and write loops that finish short writes and retry EINTR.
//
//   LEANRT_ASSIGN_OR_RETURN(UniqueFd fd, open_for_writing(path, /*truncate=*/true));
//   LEANRT_RETURN_IF_ERROR(write_all(fd.get(), bytes, count, path));
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "leanrt/base/status.h"

namespace leanrt::data {

// Owns one file descriptor; closes it when destroyed.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes now and reports a failed close (on NFS a late write error shows up here).
  Status close(const std::string& path);

 private:
  int fd_ = -1;
};

// Opens (creating, mode 0644) for writing; `truncate` empties an existing file.
Expected<UniqueFd> open_for_writing(const std::string& path, bool truncate);
// write() until every byte is written; `path` names the file in errors.
Status write_all(int fd, const void* bytes, size_t count, const std::string& path);
// pwrite() at `offset` until every byte is written.
Status pwrite_all(int fd, const void* bytes, size_t count, uint64_t offset, const std::string& path);
// Writes `text` to `path` through a temporary beside it and a rename, so a
// reader sees the old file or the new one, never a mix.
Status replace_file_atomically(const std::string& path, const std::string& text);
// Writes `temporary` through `write`, then renames it to `path`; on any
// failure the temporary is removed and `path` is untouched.
Status write_file_atomically(const std::string& path, const std::string& temporary,
                             const std::function<Status(int fd)>& write);
// Size in bytes of an existing file.
Expected<uint64_t> file_size(const std::string& path);

}  // namespace leanrt::data
