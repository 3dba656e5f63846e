// The resume sidecar: a small text file beside the partial outputs saying
// which run they belong to and how far it got. It is replaced atomically
// after every batch's outputs are written, so after a kill it never claims
// more than the files hold; `--resume` cuts the files back to what it
// records and continues from the next sample.
//
//   DIR/.leanrt-resume:
//     leanrt-resume 1
//     fingerprint 9f2c...        (model, inputs and options of the run)
//     samples 4096
//     file 1048704 DIR/Identity.npy.partial
//
//   LEANRT_ASSIGN_OR_RETURN(auto lock, lock_output_directory(dir));
//   LEANRT_RETURN_IF_ERROR(save_run_state(run_state_path(dir), state));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leanrt/data/file_io.h"
#include "leanrt/data/prediction_writer.h"

namespace leanrt::data {

struct RunState {
  std::string fingerprint;  // identifies the run; a different run must not resume these files
  ResumePoint progress;
};

std::string run_state_path(const std::string& output_dir);
Status save_run_state(const std::string& path, const RunState& state);
// The saved state, or nullopt when there is none.
Expected<std::optional<RunState>> load_run_state(const std::string& path);

// An exclusive advisory lock on the output directory for the life of the
// returned descriptor: a second run into the same directory is refused
// instead of interleaving its batches with the first's.
Expected<UniqueFd> lock_output_directory(const std::string& output_dir);

// FNV-1a, 64-bit: a fingerprint of a run's description, fed piece by piece
// (an image dataset adds every path without building one long string).
class Fingerprint {
 public:
  Fingerprint& add(std::string_view text);
  std::string hex() const;  // 16 hex digits

 private:
  uint64_t hash_ = 0xcbf29ce484222325ull;
};

}  // namespace leanrt::data
