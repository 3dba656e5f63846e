#include "leanrt/kernels/onednn/transient_heap.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace leanrt::kernels::onednn {
namespace {

// 8 allocations of 8..112 bytes per execute were measured; 64 KiB per slot
// leaves room for primitives with many arguments. One slot per thread that
// runs a model at the same time.
constexpr int kSlotCount = 4;
constexpr size_t kSlotBytes = 64 * 1024;
constexpr size_t kGrain = alignof(std::max_align_t);

struct Slot {
  std::atomic<bool> busy{false};
  std::atomic<long> outstanding{0};
  size_t used_bytes = 0;  // touched only by the thread holding the slot
};

alignas(64) std::byte g_region[kSlotCount][kSlotBytes];
Slot g_slots[kSlotCount];
std::atomic<size_t> g_served_bytes{0};
thread_local int t_active_slot = -1;

void* slot_allocate(int slot_index, size_t size_bytes) {
  Slot& slot = g_slots[slot_index];
  const size_t rounded = (size_bytes + kGrain - 1) / kGrain * kGrain;
  if (rounded == 0 || slot.used_bytes + rounded > kSlotBytes) return nullptr;
  void* pointer = &g_region[slot_index][slot.used_bytes];
  slot.used_bytes += rounded;
  slot.outstanding.fetch_add(1, std::memory_order_relaxed);
  g_served_bytes.fetch_add(rounded, std::memory_order_relaxed);
  return pointer;
}

// The slot a pointer belongs to, or -1 for heap memory.
int slot_of(const void* pointer) {
  const auto address = reinterpret_cast<std::uintptr_t>(pointer);
  const auto first = reinterpret_cast<std::uintptr_t>(&g_region[0][0]);
  if (address < first || address >= first + sizeof(g_region)) return -1;
  return static_cast<int>((address - first) / kSlotBytes);
}

void* allocate(size_t size_bytes) noexcept {
  if (t_active_slot >= 0)
    if (void* pointer = slot_allocate(t_active_slot, size_bytes)) return pointer;
  return std::malloc(size_bytes == 0 ? 1 : size_bytes);
}

void release(void* pointer) noexcept {
  if (pointer == nullptr) return;
  const int slot = slot_of(pointer);
  if (slot < 0) {
    std::free(pointer);
    return;
  }
  g_slots[slot].outstanding.fetch_sub(1, std::memory_order_acq_rel);
}

}  // namespace

TransientHeapScope::TransientHeapScope() {
  for (int i = 0; i < kSlotCount; ++i) {
    if (!g_slots[i].busy.exchange(true, std::memory_order_acquire)) {
      slot_ = i;
      break;
    }
  }
  t_active_slot = slot_;
}

TransientHeapScope::~TransientHeapScope() {
  t_active_slot = -1;
  if (slot_ < 0) return;
  Slot& slot = g_slots[slot_];
  // Rewind only when everything was returned; otherwise the slot stays busy
  // forever, so live memory is never handed out twice.
  if (slot.outstanding.load(std::memory_order_acquire) == 0) {
    slot.used_bytes = 0;
    slot.busy.store(false, std::memory_order_release);
  }
}

size_t transient_heap_served_bytes() { return g_served_bytes.load(std::memory_order_relaxed); }

}  // namespace leanrt::kernels::onednn

// The replaceable global allocation functions (C++ [new.delete]). Outside a
// TransientHeapScope they are malloc/free, as libstdc++'s own are. Aligned
// forms are left to libstdc++: oneDNN's execute path does not use them.
void* operator new(size_t size_bytes) {
  void* pointer = leanrt::kernels::onednn::allocate(size_bytes);
  if (pointer == nullptr) throw std::bad_alloc();
  return pointer;
}
void* operator new[](size_t size_bytes) {
  void* pointer = leanrt::kernels::onednn::allocate(size_bytes);
  if (pointer == nullptr) throw std::bad_alloc();
  return pointer;
}
void* operator new(size_t size_bytes, const std::nothrow_t&) noexcept {
  return leanrt::kernels::onednn::allocate(size_bytes);
}
void* operator new[](size_t size_bytes, const std::nothrow_t&) noexcept {
  return leanrt::kernels::onednn::allocate(size_bytes);
}
void operator delete(void* pointer) noexcept { leanrt::kernels::onednn::release(pointer); }
void operator delete[](void* pointer) noexcept { leanrt::kernels::onednn::release(pointer); }
void operator delete(void* pointer, size_t) noexcept { leanrt::kernels::onednn::release(pointer); }
void operator delete[](void* pointer, size_t) noexcept { leanrt::kernels::onednn::release(pointer); }
void operator delete(void* pointer, const std::nothrow_t&) noexcept { leanrt::kernels::onednn::release(pointer); }
void operator delete[](void* pointer, const std::nothrow_t&) noexcept { leanrt::kernels::onednn::release(pointer); }
