// Counts heap allocations in a test binary: support/allocation_counter.cc
// replaces malloc, calloc, realloc and aligned_alloc (operator new included,
// since libstdc++'s calls malloc) with counting wrappers of glibc's own. Link
// that file into a test to count; nothing else changes.
//
//   const long before = allocation_count();
//   model->run();
//   EXPECT_EQ(allocation_count() - before, 0);
#pragma once

namespace leanrt::testing {

long allocation_count();

}  // namespace leanrt::testing
