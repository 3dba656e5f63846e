// TransientHeap: keeps oneDNN's per-call bookkeeping off the heap.
//
// oneDNN 2.6's dnnl_primitive_execute turns its argument array into a
// std::unordered_map and builds an execution context on every call: about 8
// operator-new calls, all freed again before it returns (measured with the
// malloc hook of tests/runtime/zero_allocation_test.cc). A run must not touch
// the heap, so while a oneDNN kernel executes, operator new on that thread is
// served from a fixed static region instead, and operator delete of such a
// pointer only counts it as returned. Outside a scope, and on every other
// thread, operator new is plain malloc.
//
//   {
//     TransientHeapScope scope;       // this thread's small allocations now come from the region
//     dnnl_primitive_execute(...);
//   }                                 // all returned: the slot rewinds for the next call
//
// The region is a static array, so it costs address space and only the pages
// actually touched. A slot whose allocations are not all returned by the end
// of a scope (oneDNN keeping something) is never rewound: later scopes then
// fall back to malloc, which the zero-allocation test would show; nothing is
// ever reused while live.
#pragma once

#include <cstddef>

namespace leanrt::kernels::onednn {

class TransientHeapScope {
 public:
  TransientHeapScope();
  ~TransientHeapScope();
  TransientHeapScope(const TransientHeapScope&) = delete;
  TransientHeapScope& operator=(const TransientHeapScope&) = delete;

 private:
  int slot_ = -1;  // -1: every slot busy, this scope uses malloc
};

// Bytes served from the region since the process started (for tests).
size_t transient_heap_served_bytes();

}  // namespace leanrt::kernels::onednn
