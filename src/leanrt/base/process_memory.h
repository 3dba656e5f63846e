// The process's own memory as Linux reports it (/proc/self/status), in bytes.
#pragma once

#include <cstddef>

namespace leanrt {

struct ProcessMemory {
  size_t peak_rss_bytes = 0;  // VmHWM: high-water mark of resident memory
  size_t rss_bytes = 0;       // VmRSS
  size_t rss_anon_bytes = 0;  // RssAnon: heap, stacks, arena
  size_t rss_file_bytes = 0;  // RssFile: mapped files (weights, inputs) and code
};

ProcessMemory read_process_memory();

}  // namespace leanrt
