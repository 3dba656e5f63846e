#include "leanrt/base/code_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "leanrt/base/process_memory.h"

namespace leanrt {
namespace {

// RssFile (+ RssShmem): statm's third field, in pages.
size_t file_resident_bytes() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  unsigned long size = 0, resident = 0, shared = 0;
  const int read = std::fscanf(statm, "%lu %lu %lu", &size, &resident, &shared);
  std::fclose(statm);
  return read == 3 ? shared * static_cast<size_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

struct Mapping {
  uintptr_t start = 0, end = 0;
  bool candidate = false;  // a read-only mapping of the executable or a shared library
  std::string path;
  size_t rss_kib = 0, anonymous_kib = 0;
};

// Every mapping of the process with its resident and private sizes
// (/proc/self/smaps: the kernel walks each mapping's page table to count,
// about a millisecond for leanrt's).
std::vector<Mapping> read_mappings() {
  std::vector<Mapping> mappings;
  std::FILE* smaps = std::fopen("/proc/self/smaps", "r");
  if (smaps == nullptr) return mappings;
  const std::string executable = executable_path();
  char line[4608];
  while (std::fgets(line, sizeof line, smaps) != nullptr) {
    if (std::isxdigit(static_cast<unsigned char>(line[0])) && !std::isupper(static_cast<unsigned char>(line[0]))) {
      Mapping mapping;
      char perms[8] = {};
      unsigned long start = 0, end = 0;
      char path[4096] = {};
      if (std::sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095s", &start, &end, perms, path) < 3) continue;
      mapping.start = start;
      mapping.end = end;
      const std::string file(path);
      const bool binary = !file.empty() && file[0] == '/' && (file == executable || file.find(".so") != std::string::npos);
      mapping.candidate = binary && perms[1] != 'w';
      mapping.path = file;
      mappings.push_back(std::move(mapping));
    } else if (!mappings.empty()) {
      size_t kib = 0;
      if (std::sscanf(line, "Rss: %zu kB", &kib) == 1) mappings.back().rss_kib = kib;
      else if (std::sscanf(line, "Anonymous: %zu kB", &kib) == 1) mappings.back().anonymous_kib = kib;
    }
  }
  std::fclose(smaps);
  return mappings;
}

// Private pages (relocations made read-only after) are the only copy: a
// mapping holding any is never released.
bool releasable(const Mapping& mapping) { return mapping.candidate && mapping.anonymous_kib == 0; }

bool drop_pages(uintptr_t start, uintptr_t end) {
  return ::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED) == 0;
}

}  // namespace

size_t release_code_pages() {
  size_t released = 0;
  for (const Mapping& mapping : read_mappings())
    if (releasable(mapping) && mapping.rss_kib != 0 && drop_pages(mapping.start, mapping.end))
      released += mapping.rss_kib * 1024;
  return released;
}

CodePageBudget::CodePageBudget(size_t budget_bytes)
    : budget_bytes_(budget_bytes), file_bytes_after_release_(file_resident_bytes()) {
  // Read once: no library is loaded while compiling, and a read-only
  // mapping gains no private page, so the releasable ranges stay as they
  // are, and each release is a few madvise calls rather than a walk of
  // every page table.
  for (const Mapping& mapping : read_mappings())
    if (releasable(mapping)) ranges_.push_back({mapping.start, mapping.end});
}

void CodePageBudget::check() {
  if (file_resident_bytes() >= file_bytes_after_release_ + budget_bytes_) release();
}

void CodePageBudget::release() {
  for (const auto& [start, end] : ranges_) drop_pages(start, end);
  ++releases_;
  file_bytes_after_release_ = file_resident_bytes();
}

ExactCodeFaults::ExactCodeFaults(const char* library) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  for (const Mapping& mapping : read_mappings()) {
    const size_t name_at = mapping.path.find_last_of('/');
    if (!releasable(mapping) || mapping.path.find(library, name_at == std::string::npos ? 0 : name_at) == std::string::npos)
      continue;
    // Every other page marked: no two neighbours share flags, so none merge.
    for (uintptr_t at = mapping.start; at < mapping.end; at += 2 * page)
      ::madvise(reinterpret_cast<void*>(at), page, MADV_RANDOM);
    ranges_.push_back({mapping.start, mapping.end});
    pages_ += (mapping.end - mapping.start) / page;
  }
}

ExactCodeFaults::~ExactCodeFaults() {
  for (const auto& [start, end] : ranges_) ::madvise(reinterpret_cast<void*>(start), end - start, MADV_NORMAL);
}

}  // namespace leanrt
