#include "leanrt/profile/resident_memory.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>

namespace leanrt::profile {
namespace {

// A mapping header line: "start-end perms offset dev inode [path]". Field
// lines ("Rss:     12 kB") start with a capitalised name instead.
bool is_mapping_header(const char* line) {
  return std::isxdigit(static_cast<unsigned char>(line[0])) && !std::isupper(static_cast<unsigned char>(line[0]));
}

// The path column of a header ("" for anonymous mappings).
std::string mapping_path(const char* line) {
  int fields = 0;
  const char* cursor = line;
  while (*cursor != '\0' && fields < 5) {
    while (*cursor != '\0' && *cursor != ' ') ++cursor;
    while (*cursor == ' ') ++cursor;
    ++fields;
  }
  std::string path(cursor);
  while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
  return path;
}

size_t* bucket_for(ResidentMemory& memory, const std::string& path, const std::string& executable) {
  if (path.empty()) return &memory.anonymous_bytes;
  if (path == "[heap]") return &memory.heap_bytes;
  if (path == "[stack]") return &memory.stack_bytes;
  if (path[0] == '[') return &memory.anonymous_bytes;  // [vdso], [vvar], [anon:...]
  if (path == executable) return &memory.executable_bytes;
  if (path.find("libdnnl.so") != std::string::npos) return &memory.onednn_library_bytes;
  if (path.find(".so") != std::string::npos) return &memory.other_library_bytes;
  return &memory.other_file_bytes;
}

}  // namespace

ResidentMemory read_resident_memory() {
  ResidentMemory memory;
  memory.status = read_process_memory();
  std::FILE* smaps = std::fopen("/proc/self/smaps", "r");
  if (smaps == nullptr) return memory;
  const std::string executable = executable_path();
  char line[4608];
  size_t* bucket = nullptr;
  while (std::fgets(line, sizeof line, smaps) != nullptr) {
    unsigned long long kib = 0;
    if (is_mapping_header(line)) bucket = bucket_for(memory, mapping_path(line), executable);
    else if (bucket != nullptr && std::sscanf(line, "Rss: %llu kB", &kib) == 1) *bucket += kib * 1024;
  }
  std::fclose(smaps);
  return memory;
}

}  // namespace leanrt::profile
