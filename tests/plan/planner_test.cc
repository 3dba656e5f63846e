// Planner properties on thousands of random DAGs: no two tensors live at
// the same step overlap in the arena, offsets are aligned, arena >= lower
// bound, plans are deterministic, and the verifier rejects broken plans.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "leanrt/plan/planner.h"

namespace leanrt::plan {
namespace {

// A random DAG scheduled in index order: node i reads 1-3 earlier nodes.
// Tensors are node outputs (plus an occasional scratch); lifetimes run from
// the producer to the last reader, outputs without readers to the end.
PlanInput random_dag(std::mt19937& rng, int nodes) {
  PlanInput input;
  std::vector<int> last_use(nodes, -1);
  std::vector<std::vector<int>> reads(nodes);
  for (int node = 1; node < nodes; ++node) {
    int count = std::uniform_int_distribution<int>(1, std::min(3, node))(rng);
    for (int k = 0; k < count; ++k) {
      int source = std::uniform_int_distribution<int>(std::max(0, node - 8), node - 1)(rng);
      reads[node].push_back(source);
      last_use[source] = std::max(last_use[source], node);
    }
  }
  std::uniform_int_distribution<int> size_class(0, 3);
  for (int node = 0; node < nodes; ++node) {
    int size_kind = size_class(rng);
    size_t bytes = size_kind == 0 ? 1 + rng() % 100 : size_kind == 1 ? 64 * (1 + rng() % 64) : 4096 * (1 + rng() % 8);
    int last = last_use[node] < 0 ? nodes : last_use[node];
    input.tensors.push_back({bytes, node, last});
  }
  // Share requests: some nodes alias their first input (a reshape), some
  // ask to overwrite an input dying here (elementwise).
  for (int node = 1; node < nodes; ++node) {
    int kind = static_cast<int>(rng() % 4);
    int source = reads[node][0];
    if (kind == 0) {
      input.tensors[node].size_bytes = input.tensors[source].size_bytes;
      input.shares.push_back({node, source, ShareKind::kAlias});
    } else if (kind == 1 && last_use[source] == node) {
      input.tensors[node].size_bytes = input.tensors[source].size_bytes;
      input.shares.push_back({node, source, ShareKind::kInPlace});
    }
  }
  // Concats: a node whose inputs all die there may ask for them as slices
  // of its output, laid end to end (unaligned ends make the planner refuse
  // the whole group, which the verifier must accept too).
  for (int node = 1; node < nodes; ++node) {
    if (rng() % 3 != 0 || reads[node].size() < 2) continue;
    std::vector<int> parts = reads[node];
    std::sort(parts.begin(), parts.end());
    if (std::adjacent_find(parts.begin(), parts.end()) != parts.end()) continue;
    size_t offset = 0;
    std::vector<ShareRequest> slices;
    for (int part : parts) {
      if (last_use[part] != node) break;
      slices.push_back({part, node, ShareKind::kSlice, offset});
      offset += input.tensors[part].size_bytes;
    }
    if (slices.size() != parts.size()) continue;
    input.tensors[node].size_bytes = offset;
    input.shares.insert(input.shares.end(), slices.begin(), slices.end());
  }
  for (int node = 0; node < nodes; node += 5)
    input.tensors.push_back({static_cast<size_t>(1 + rng() % 5000), node, node});  // scratch
  return input;
}

TEST(Planner, RandomDagsGiveValidPlans) {
  std::mt19937 rng(12345);
  int shares_applied = 0, slices_applied = 0;
  double worst_ratio = 1.0;
  for (int trial = 0; trial < 3000; ++trial) {
    const int nodes = 2 + static_cast<int>(rng() % 60);
    PlanInput input = random_dag(rng, nodes);
    auto plan = plan_memory(input);
    ASSERT_TRUE(plan.has_value()) << plan.status().message();
    Status verified = verify_plan(input, *plan);
    ASSERT_TRUE(verified.is_ok()) << "trial " << trial << ": " << verified.message();
    EXPECT_GE(plan->arena_bytes, plan->arena_bytes_lower_bound);
    for (size_t offset : plan->offsets) EXPECT_EQ(offset % input.alignment, 0u);
    for (const ShareRequest& share : input.shares)
      if (share.kind == ShareKind::kSlice && plan->offset_in_buffer[share.tensor] != 0) ++slices_applied;
    auto again = plan_memory(input);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->offsets, plan->offsets) << "plans must be deterministic";
    shares_applied += plan->shares_applied;
    worst_ratio = std::max(worst_ratio, static_cast<double>(plan->arena_bytes) / plan->arena_bytes_lower_bound);
  }
  EXPECT_GT(shares_applied, 1000) << "the random DAGs should exercise aliasing and in-place sharing";
  EXPECT_GT(slices_applied, 100) << "the random DAGs should exercise concat slices";
  std::printf("random DAGs: worst arena / lower bound = %.3f\n", worst_ratio);
}

TEST(Planner, ConcatInputsLiveInsideTheOutput) {
  // Steps 0-2 compute three slices; step 3 concatenates them; step 4 reads it.
  PlanInput input;
  input.tensors = {{128, 0, 3}, {64, 1, 3}, {256, 2, 3}, {448, 3, 4}};
  input.shares = {{0, 3, ShareKind::kSlice, 0}, {1, 3, ShareKind::kSlice, 128}, {2, 3, ShareKind::kSlice, 192}};
  auto plan = plan_memory(input);
  ASSERT_TRUE(plan.has_value());
  ASSERT_TRUE(verify_plan(input, *plan).is_ok()) << verify_plan(input, *plan).message();
  EXPECT_EQ(plan->arena_bytes, 448u) << "the concat needs no bytes beyond its inputs'";
  EXPECT_EQ(plan->offsets[1], plan->offsets[3] + 128);
  EXPECT_EQ(plan->offsets[2], plan->offsets[3] + 192);
  EXPECT_EQ(plan->shares_applied, 3);
}

TEST(Planner, SlicesRefusedWhenTheyCannotAllFit) {
  PlanInput input;
  input.tensors = {{128, 0, 3}, {128, 1, 3}, {256, 3, 4}, {100, 0, 2}, {64, 1, 2}, {192, 2, 4}};
  input.shares = {{0, 2, ShareKind::kSlice, 0}, {1, 2, ShareKind::kSlice, 64},  // overlapping
                  {3, 5, ShareKind::kSlice, 0}, {4, 5, ShareKind::kSlice, 100}};  // unaligned
  auto plan = plan_memory(input);
  ASSERT_TRUE(plan.has_value());
  ASSERT_TRUE(verify_plan(input, *plan).is_ok());
  EXPECT_EQ(plan->shares_applied, 0);
  for (size_t inside : plan->offset_in_buffer) EXPECT_EQ(inside, 0u);
}

TEST(Planner, VerifierRejectsASliceNobodyAskedFor) {
  PlanInput input;
  input.tensors = {{128, 0, 1}, {256, 1, 2}};
  input.shares = {{0, 1, ShareKind::kSlice, 0}};
  auto plan = plan_memory(input);
  ASSERT_TRUE(plan.has_value());
  ASSERT_TRUE(verify_plan(input, *plan).is_ok());
  Plan moved = *plan;
  moved.offset_in_buffer[0] = 64;
  moved.offsets[0] += 64;
  EXPECT_FALSE(verify_plan(input, moved).is_ok());
}

TEST(Planner, DisjointLifetimesShareMemory) {
  PlanInput input;
  input.tensors = {{1000, 0, 1}, {1000, 2, 3}, {1000, 4, 5}};
  auto plan = plan_memory(input);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->arena_bytes, 1024u);
  EXPECT_EQ(plan->arena_bytes_lower_bound, 1024u);
}

TEST(Planner, InPlaceOnlyWhenTheSourceDies) {
  PlanInput input;
  input.tensors = {{256, 0, 1}, {256, 1, 2}, {256, 1, 3}};
  // Tensor 1 may overwrite tensor 0 (its last reader is step 1)...
  input.shares = {{1, 0, ShareKind::kInPlace}, {2, 0, ShareKind::kInPlace}};
  auto plan = plan_memory(input);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->buffer_of[0], plan->buffer_of[1]);
  // ...but tensor 2, written at the same step, must not take the same buffer.
  EXPECT_NE(plan->buffer_of[2], plan->buffer_of[0]);
  EXPECT_TRUE(verify_plan(input, *plan).is_ok());
}

TEST(Planner, InPlaceRefusedWhileTheSourceIsStillRead) {
  PlanInput input;
  input.tensors = {{256, 0, 3}, {256, 1, 2}};
  input.shares = {{1, 0, ShareKind::kInPlace}};
  auto plan = plan_memory(input);
  ASSERT_TRUE(plan.has_value());
  EXPECT_NE(plan->buffer_of[0], plan->buffer_of[1]);
  EXPECT_EQ(plan->shares_applied, 0);
}

TEST(Planner, VerifierRejectsOverlappingLiveTensors) {
  PlanInput input;
  input.tensors = {{512, 0, 2}, {512, 1, 3}, {512, 3, 4}};
  auto plan = plan_memory(input);
  ASSERT_TRUE(plan.has_value());
  ASSERT_TRUE(verify_plan(input, *plan).is_ok());
  Plan broken = *plan;
  broken.buffers[broken.buffer_of[1]].offset = broken.buffers[broken.buffer_of[0]].offset;
  broken.offsets[1] = broken.offsets[0];
  EXPECT_FALSE(verify_plan(input, broken).is_ok());
  Plan misaligned = *plan;
  const int moved = misaligned.buffer_of[2];
  misaligned.buffers[moved].offset += 8;
  misaligned.arena_bytes += 64;
  for (size_t t = 0; t < misaligned.offsets.size(); ++t)
    if (misaligned.buffer_of[t] == moved) misaligned.offsets[t] = misaligned.buffers[moved].offset;
  EXPECT_FALSE(verify_plan(input, misaligned).is_ok());
  Plan too_small = *plan;
  too_small.arena_bytes -= 64;
  EXPECT_FALSE(verify_plan(input, too_small).is_ok());
}

TEST(Planner, VerifierRejectsUnrequestedSharing) {
  PlanInput input;
  input.tensors = {{256, 0, 3}, {256, 1, 2}};
  auto plan = plan_memory(input);
  ASSERT_TRUE(plan.has_value());
  Plan merged = *plan;
  merged.buffer_of[1] = merged.buffer_of[0];
  merged.offsets[1] = merged.offsets[0];
  EXPECT_FALSE(verify_plan(input, merged).is_ok());
}

// On small cases the greedy plan is compared with the best placement found
// by trying every order of the buffers.
TEST(Planner, GreedyIsNearOptimalOnSmallCases) {
  std::mt19937 rng(7);
  double worst = 1.0;
  for (int trial = 0; trial < 200; ++trial) {
    PlanInput input;
    const int count = 2 + static_cast<int>(rng() % 5);
    for (int t = 0; t < count; ++t) {
      int first = static_cast<int>(rng() % 6);
      input.tensors.push_back({64 * (1 + rng() % 6), first, first + static_cast<int>(rng() % 4)});
    }
    auto plan = plan_memory(input);
    ASSERT_TRUE(plan.has_value());
    // Brute force: first-fit placement in every permutation; the best of them
    // is optimal for interval placement of this size.
    std::vector<int> order(count);
    std::iota(order.begin(), order.end(), 0);
    size_t best = SIZE_MAX;
    do {
      std::vector<size_t> offset(count);
      size_t arena = 0;
      for (int i = 0; i < count; ++i) {
        const auto& a = input.tensors[order[i]];
        size_t candidate = 0;
        bool moved = true;
        while (moved) {
          moved = false;
          for (int j = 0; j < i; ++j) {
            const auto& b = input.tensors[order[j]];
            bool live_together = a.first_step <= b.last_step && b.first_step <= a.last_step;
            if (live_together && candidate < offset[order[j]] + b.size_bytes && offset[order[j]] < candidate + a.size_bytes) {
              candidate = offset[order[j]] + b.size_bytes;
              moved = true;
            }
          }
        }
        offset[order[i]] = candidate;
        arena = std::max(arena, candidate + a.size_bytes);
      }
      best = std::min(best, arena);
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_GE(plan->arena_bytes, best > 0 ? plan->arena_bytes_lower_bound : 0);
    worst = std::max(worst, static_cast<double>(plan->arena_bytes) / best);
  }
  std::printf("small cases: worst greedy / brute-force best = %.3f\n", worst);
  EXPECT_LE(worst, 1.5);
}

}  // namespace
}  // namespace leanrt::plan
