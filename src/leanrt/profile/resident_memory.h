// Where this process's resident memory is, mapping by mapping, read from
// /proc/self/smaps: the split behind VmRSS that `leanrt profile` prints next
// to VmHWM, RssAnon and RssFile.
//
//   ResidentMemory now = read_resident_memory();
//   fmt::print("{} bytes of libdnnl pages\n", now.onednn_library_bytes);
//
// Every figure is bytes resident at the moment of the call (Rss of the
// mappings, not their Size). Reading smaps costs about a millisecond; it is
// done between phases, never on the run path.
#pragma once

#include <cstddef>

#include "leanrt/base/process_memory.h"

namespace leanrt::profile {

struct ResidentMemory {
  ProcessMemory status;               // /proc/self/status: VmHWM, VmRSS, RssAnon, RssFile
  size_t executable_bytes = 0;        // the running binary's own mappings (code, data)
  size_t onednn_library_bytes = 0;    // libdnnl.so: oneDNN's code and tables
  size_t other_library_bytes = 0;     // every other shared library (libc, libstdc++, libprotobuf, libgomp, ...)
  size_t other_file_bytes = 0;        // other file mappings: the model file, .npy inputs
  size_t heap_bytes = 0;              // [heap]: small allocations (graph, kernels' state)
  size_t anonymous_bytes = 0;         // unnamed anonymous mappings: large allocations (arena), thread arenas and
                                      // stacks, oneDNN's JIT code
  size_t stack_bytes = 0;             // [stack]: the main thread's stack
};

ResidentMemory read_resident_memory();

}  // namespace leanrt::profile
