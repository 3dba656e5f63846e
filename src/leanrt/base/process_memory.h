// The process's own memory as Linux reports it (/proc/self/status), in bytes.
#pragma once

#include <cstddef>
#include <string>

namespace leanrt {

struct ProcessMemory {
  size_t peak_rss_bytes = 0;  // VmHWM: high-water mark of resident memory
  size_t rss_bytes = 0;       // VmRSS
  size_t rss_anon_bytes = 0;  // RssAnon: heap, stacks, arena
  size_t rss_file_bytes = 0;  // RssFile: mapped files (weights, inputs) and code
};

ProcessMemory read_process_memory();

// Resets VmHWM to the current VmRSS (/proc/self/clear_refs, "5"), so the
// next reading gives the peak of what happened in between. False when the
// kernel refuses (then VmHWM keeps counting from the start).
bool reset_peak_rss();

// The running binary's path (/proc/self/exe resolved), or "" if unreadable.
std::string executable_path();

}  // namespace leanrt
