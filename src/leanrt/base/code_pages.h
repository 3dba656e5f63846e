// Dropping code pages the process no longer runs.
//
// A process maps its binary and shared libraries; every page it ever ran
// stays resident (RSS, and so VmHWM) although most of it ran once: the
// importers, libprotobuf's parser, oneDNN's start-up and its JIT
// generators. Clean pages of a read-only file mapping are a copy of the
// file: dropping them (madvise MADV_DONTNEED) is what the kernel itself does
// under memory pressure, and the next access reads them back from the page
// cache. Pages a mapping holds privately (relocated data, made read-only
// after) are the only copy and are never dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace leanrt {

// Drops the resident pages of every read-only mapping of the executable and
// of shared libraries that holds no private (anonymous) page. Returns the
// bytes dropped. Safe at any time, from any thread: a page still needed is
// faulted back in on its next use.
size_t release_code_pages();

// Keeps the code paged in while compiling within a budget. Compile makes one
// kernel after another, and each pages in its share of oneDNN's primitive
// creation and JIT generators, code that never runs again: without a
// budget, a model of a hundred layers held all of it at once, at its peak.
//
//   CodePageBudget budget(2 << 20);  // reads the releasable mappings once
//   budget.release();
//   for (...) { make_kernel(...); budget.check(); }
//   budget.release();
class CodePageBudget {
 public:
  explicit CodePageBudget(size_t budget_bytes);
  // Releases the code pages when the process's file-backed resident memory
  // has grown by the budget since the last release (cheap otherwise: one
  // read of /proc/self/statm).
  void check();
  // Releases the code pages now.
  void release();
  int releases() const { return releases_; }

 private:
  size_t budget_bytes_ = 0;
  size_t file_bytes_after_release_ = 0;
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges_;  // the releasable mappings, [start, end)
  int releases_ = 0;
};

// While it lives, a fault on the code of the shared libraries whose file
// name contains `library` maps that one page. The kernel otherwise maps the
// 64 KiB around each faulting code page that the page cache holds
// (fault-around): oneDNN's run path executes 220-300 KiB of libdnnl's text
// but left 1.5-2.0 MiB of it resident. Each read-only mapping of the library
// is split into one mapping per page (MADV_RANDOM on every other page, which
// also stops read-ahead there) and merged back when this ends; the pages
// faulted meanwhile stay mapped, the rest stay out until something runs
// them. Meant to live across a model's first run after its compile released
// the code pages: the kernel's bookkeeping for the ~9,600 extra mappings
// (~2 MiB, not in the process's RSS) lasts only that long.
class ExactCodeFaults {
 public:
  explicit ExactCodeFaults(const char* library);
  ~ExactCodeFaults();
  ExactCodeFaults(const ExactCodeFaults&) = delete;
  ExactCodeFaults& operator=(const ExactCodeFaults&) = delete;
  size_t pages() const { return pages_; }

 private:
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges_;  // the split mappings, [start, end)
  size_t pages_ = 0;
};

}  // namespace leanrt
