#include "leanrt/base/process_memory.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace leanrt {

ProcessMemory read_process_memory() {
  ProcessMemory memory;
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return memory;
  char line[256];
  while (std::fgets(line, sizeof line, status) != nullptr) {
    unsigned long long kib = 0;
    if (std::sscanf(line, "VmHWM: %llu kB", &kib) == 1) memory.peak_rss_bytes = kib * 1024;
    else if (std::sscanf(line, "VmRSS: %llu kB", &kib) == 1) memory.rss_bytes = kib * 1024;
    else if (std::sscanf(line, "RssAnon: %llu kB", &kib) == 1) memory.rss_anon_bytes = kib * 1024;
    else if (std::sscanf(line, "RssFile: %llu kB", &kib) == 1) memory.rss_file_bytes = kib * 1024;
  }
  std::fclose(status);
  return memory;
}

bool reset_peak_rss() {
  std::FILE* clear_refs = std::fopen("/proc/self/clear_refs", "w");
  if (clear_refs == nullptr) return false;
  const bool written = std::fputs("5", clear_refs) >= 0;
  return std::fclose(clear_refs) == 0 && written;
}

std::string executable_path() {
  char path[4096];
  const ssize_t length = ::readlink("/proc/self/exe", path, sizeof path - 1);
  return length > 0 ? std::string(path, static_cast<size_t>(length)) : std::string();
}

}  // namespace leanrt
