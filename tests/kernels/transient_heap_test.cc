// TransientHeapScope: oneDNN's per-execute bookkeeping comes from the static
// region, not the heap; allocations outside a scope are plain malloc; a
// slot is never rewound while a pointer from it is live.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>

#include "kernels/fast_vs_reference.h"
#include "leanrt/kernels/onednn/transient_heap.h"

extern "C" {
void* __libc_malloc(size_t size);
std::atomic<long> g_mallocs{0};
void* malloc(size_t size) {
  g_mallocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
}

namespace leanrt::testing {
namespace {

using kernels::onednn::transient_heap_served_bytes;
using kernels::onednn::TransientHeapScope;

TEST(TransientHeap, ServesOperatorNewInsideAScopeOnly) {
  const size_t served_before = transient_heap_served_bytes();
  const long mallocs_before = g_mallocs.load();
  {
    TransientHeapScope scope;
    auto* values = new std::vector<int>(8);
    delete values;
  }
  EXPECT_GT(transient_heap_served_bytes(), served_before);
  EXPECT_EQ(g_mallocs.load(), mallocs_before);
  auto* outside = new int(3);  // plain malloc again
  EXPECT_GT(g_mallocs.load(), mallocs_before);
  delete outside;
}

TEST(TransientHeap, LivePointerIsNeverHandedOutTwice) {
  int* kept = nullptr;
  {
    TransientHeapScope scope;
    kept = new int(42);
  }
  // The slot kept a live pointer, so it was not rewound; new scopes use
  // other slots or malloc, never kept's bytes.
  for (int i = 0; i < 8; ++i) {
    TransientHeapScope scope;
    int* other = new int(7);
    EXPECT_NE(other, kept);
    delete other;
  }
  EXPECT_EQ(*kept, 42);
  delete kept;
}

// A oneDNN conv (grouped: leanrt's own tiles take one group) and leanrt's
// direct conv (where the CPU has AVX-512) run without a malloc.
TEST(TransientHeap, ConvsRunWithoutMalloc) {
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
  for (const int64_t groups : {2, 1}) {
    GraphCase g(3);
    ir::ValueId x = g.input("x", {2, 16, 16, 24});
    ir::ValueId w = g.constant("w", {3, 3, 24 / groups, 32});
    g.node("conv", "Conv2D", {x, w}, window_attrs(1, 1, "SAME"));
    runtime::CompileOptions options;
    options.input_shapes["x"] = {2, 16, 16, 24};
    options.kernels.threads = 2;
    auto model = runtime::CompiledModel::compile(g.graph(), options);
    ASSERT_TRUE(model.has_value()) << model.status().message();
    ASSERT_EQ((*model)->steps()[0].kernel, groups == 1 && avx512 ? "conv2d_f32_direct" : "conv2d_f32_onednn");
    std::vector<float> input(2 * 16 * 16 * 24, 0.5f);
    (*model)->set_input(0, input.data());
    ASSERT_TRUE((*model)->run().is_ok());
    const long before = g_mallocs.load();
    for (int run = 0; run < 5; ++run) ASSERT_TRUE((*model)->run().is_ok());
    EXPECT_EQ(g_mallocs.load() - before, 0) << (*model)->steps()[0].kernel;
  }
}

}  // namespace
}  // namespace leanrt::testing
