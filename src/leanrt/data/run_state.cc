#include "leanrt/data/run_state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include "leanrt/base/mapped_file.h"

namespace leanrt::data {

namespace {
constexpr char kStateMagic[] = "leanrt-resume 1";
}

std::string run_state_path(const std::string& output_dir) { return output_dir + "/.leanrt-resume"; }

Status save_run_state(const std::string& path, const RunState& state) {
  std::string text = fmt::format("{}\nfingerprint {}\nsamples {}\n", kStateMagic, state.fingerprint,
                                 state.progress.samples);
  for (const PartialFile& file : state.progress.files) {
    if (file.path.find('\n') != std::string::npos)
      return invalid_argument("{}: output paths with line breaks cannot be resumed", file.path);
    text += fmt::format("file {} {}\n", file.bytes, file.path);
  }
  return replace_file_atomically(path, text);
}

Expected<std::optional<RunState>> load_run_state(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0) return std::optional<RunState>();
  LEANRT_ASSIGN_OR_RETURN(std::string text, read_text_file(path));
  std::istringstream lines(text);
  std::string line;
  RunState state;
  bool has_samples = false;
  if (!std::getline(lines, line) || line != kStateMagic)
    return invalid_argument("{}: not a leanrt resume state: expected \"{}\" on line 1, found \"{}\"", path,
                            kStateMagic, line);
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "fingerprint") {
      fields >> state.fingerprint;
    } else if (key == "samples") {
      has_samples = static_cast<bool>(fields >> state.progress.samples);
    } else if (key == "file") {
      PartialFile file;
      fields >> file.bytes;
      fields.get();  // the one space before the path, which may itself hold spaces
      std::getline(fields, file.path);
      if (!fields && file.path.empty())
        return invalid_argument("{}: malformed line \"{}\": expected file <bytes> <path>", path, line);
      state.progress.files.push_back(std::move(file));
    } else if (!key.empty()) {
      return invalid_argument("{}: unexpected line \"{}\"", path, line);
    }
  }
  if (state.fingerprint.empty() || !has_samples)
    return invalid_argument("{}: incomplete resume state: expected fingerprint and samples lines", path);
  return std::optional<RunState>(std::move(state));
}

Expected<UniqueFd> lock_output_directory(const std::string& output_dir) {
  UniqueFd directory(::open(output_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!directory.valid())
    return io_error("{}: cannot open the output directory: {}", output_dir, std::strerror(errno));
  if (::flock(directory.get(), LOCK_EX | LOCK_NB) != 0)
    return io_error("{}: another leanrt run is writing to this output directory", output_dir);
  return directory;
}

Fingerprint& Fingerprint::add(std::string_view text) {
  for (const char c : text) {
    hash_ ^= static_cast<unsigned char>(c);
    hash_ *= 0x100000001b3ull;
  }
  hash_ ^= 0xff;  // a separator, so ("ab", "c") and ("a", "bc") differ
  hash_ *= 0x100000001b3ull;
  return *this;
}

std::string Fingerprint::hex() const { return fmt::format("{:016x}", hash_); }

}  // namespace leanrt::data
