#include "leanrt/data/partial_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "leanrt/data/prediction_writer.h"

namespace leanrt::data {

std::string partial_path_of(const std::string& final_path) { return final_path + ".partial"; }

PartialOutputFile::PartialOutputFile(std::string final_path, UniqueFd fd, uint64_t bytes)
    : final_path_(std::move(final_path)), partial_path_(partial_path_of(final_path_)), fd_(std::move(fd)), bytes_(bytes) {}

Expected<PartialOutputFile> PartialOutputFile::create(const std::string& final_path) {
  LEANRT_ASSIGN_OR_RETURN(UniqueFd fd, open_for_writing(partial_path_of(final_path), /*truncate=*/true));
  return PartialOutputFile(final_path, std::move(fd), 0);
}

Expected<PartialOutputFile> PartialOutputFile::reopen(const std::string& final_path, uint64_t committed_bytes) {
  const std::string partial = partial_path_of(final_path);
  LEANRT_ASSIGN_OR_RETURN(uint64_t size, file_size(partial));
  if (size < committed_bytes)
    return invalid_argument("{}: cannot resume: the resume state says {} bytes were written, found {}", partial,
                            committed_bytes, size);
  LEANRT_ASSIGN_OR_RETURN(UniqueFd fd, open_for_writing(partial, /*truncate=*/false));
  // Bytes past the committed length belong to a batch that was cut short.
  if (::ftruncate(fd.get(), static_cast<off_t>(committed_bytes)) != 0 ||
      ::lseek(fd.get(), static_cast<off_t>(committed_bytes), SEEK_SET) < 0)
    return io_error("{}: cannot resume: {}", partial, std::strerror(errno));
  return PartialOutputFile(final_path, std::move(fd), committed_bytes);
}

Status PartialOutputFile::append(const void* bytes, size_t count) {
  LEANRT_RETURN_IF_ERROR(write_all(fd_.get(), bytes, count, partial_path_));
  bytes_ += count;
  return Status::ok();
}

Status PartialOutputFile::write_at(const void* bytes, size_t count, uint64_t offset) {
  return pwrite_all(fd_.get(), bytes, count, offset, partial_path_);
}

Status PartialOutputFile::finish() {
  // Data reaches the disk before the rename makes the file visible under its
  // final name, so even a power cut never shows a short file there.
  if (::fdatasync(fd_.get()) != 0) return io_error("{}: fdatasync failed: {}", partial_path_, std::strerror(errno));
  LEANRT_RETURN_IF_ERROR(fd_.close(partial_path_));
  if (std::rename(partial_path_.c_str(), final_path_.c_str()) != 0)
    return io_error("{}: cannot rename into place: {}", final_path_, std::strerror(errno));
  return Status::ok();
}

}  // namespace leanrt::data
