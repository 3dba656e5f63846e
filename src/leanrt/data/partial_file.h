// One output file under construction: written at "<final>.partial", renamed
// to the final path by finish(). Used by the prediction writers.
//
//   LEANRT_ASSIGN_OR_RETURN(PartialOutputFile file, PartialOutputFile::create("out/y.npy"));
//   LEANRT_RETURN_IF_ERROR(file.append(bytes, count));
//   LEANRT_RETURN_IF_ERROR(file.finish());
#pragma once

#include <cstdint>
#include <string>

#include "leanrt/data/file_io.h"

namespace leanrt::data {

class PartialOutputFile {
 public:
  // Starts an empty partial file (replacing a stale one).
  static Expected<PartialOutputFile> create(const std::string& final_path);
  // Reopens the partial file of an interrupted run and cuts it back to
  // `committed_bytes` (the last complete batch); fails if it is shorter.
  static Expected<PartialOutputFile> reopen(const std::string& final_path, uint64_t committed_bytes);

  Status append(const void* bytes, size_t count);
  Status write_at(const void* bytes, size_t count, uint64_t offset);
  // fdatasync, close, rename over the final path.
  Status finish();

  uint64_t bytes() const { return bytes_; }
  const std::string& partial_path() const { return partial_path_; }
  const std::string& final_path() const { return final_path_; }

 private:
  PartialOutputFile(std::string final_path, UniqueFd fd, uint64_t bytes);
  std::string final_path_;
  std::string partial_path_;
  UniqueFd fd_;
  uint64_t bytes_ = 0;
};

}  // namespace leanrt::data
