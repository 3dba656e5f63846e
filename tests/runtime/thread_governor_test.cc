// The thread governor's policy on run times fed to it (no clocks, no
// threads): when it probes one thread, when it switches and back, and that
// noise within its margin switches nothing.
#include <gtest/gtest.h>

#include "leanrt/runtime/thread_governor.h"

namespace leanrt::runtime {
namespace {

// Feeds `runs` runs, each taking `multi` seconds on the configured threads
// and `single` on one thread; returns how many ran single-threaded.
int feed(ThreadGovernor& governor, int runs, double multi, double single) {
  int single_runs = 0;
  for (int r = 0; r < runs; ++r) {
    const bool one = governor.single_thread_next();
    single_runs += one;
    governor.record(one ? single : multi);
  }
  return single_runs;
}

TEST(ThreadGovernor, ProbesEarlyThenLessAndLessOftenWhileNothingChanges) {
  ThreadGovernor governor;
  // Idle cores: two threads win. After the (uncounted) first run, probes
  // after 8 runs, then 64, 128, ... runs apart, up to 1024.
  const int p = ThreadGovernor::kProbeRuns;
  EXPECT_EQ(feed(governor, 1 + ThreadGovernor::kFirstProbeAfter + p + 64 + p, 1.0, 1.6), 2 * p);
  EXPECT_EQ(feed(governor, 127, 1.0, 1.6), 0);
  EXPECT_EQ(feed(governor, 1 + p, 1.0, 1.6), p);
  EXPECT_FALSE(governor.single_thread());
  EXPECT_EQ(governor.switches(), 0);
  // Long idle stretches probe once per 1024 runs at most.
  feed(governor, 4000, 1.0, 1.6);
  EXPECT_LE(feed(governor, 2048, 1.0, 1.6), 2 * p + p);
}

TEST(ThreadGovernor, ProbesAtOnceWhenRunsSlowDown) {
  ThreadGovernor governor;
  feed(governor, 3000, 1.0, 1.6);  // the probes are far apart by now
  // Cores become contended: the configured threads take 50x longer; within
  // a few runs the governor probes one thread and keeps it.
  feed(governor, ThreadGovernor::kRecent + 1 + ThreadGovernor::kProbeRuns + 8, 50.0, 1.6);
  EXPECT_TRUE(governor.single_thread());
}

TEST(ThreadGovernor, GoesToOneThreadWhenCoresAreContendedAndBackWhenTheyAreFree) {
  ThreadGovernor governor;
  // selfie with two busy processes: the first probe switches.
  feed(governor, 1 + ThreadGovernor::kFirstProbeAfter + ThreadGovernor::kProbeRuns, 360e-3, 6.4e-3);
  EXPECT_TRUE(governor.single_thread());
  EXPECT_EQ(governor.switches(), 1);
  // Still contended: the confirming probe a few runs later keeps one thread.
  feed(governor, ThreadGovernor::kConfirmAfter + ThreadGovernor::kProbeRuns, 360e-3, 6.4e-3);
  EXPECT_TRUE(governor.single_thread());
  // Contention ends: the next probe of the configured threads switches back.
  feed(governor, ThreadGovernor::kProbeInterval + ThreadGovernor::kProbeRuns, 1.7e-3, 6.4e-3);
  EXPECT_FALSE(governor.single_thread());
  EXPECT_EQ(governor.switches(), 2);
}

// Microsecond runs are noisy, and runs under load get preempted: the
// probe's median decides, not one run.
TEST(ThreadGovernor, OneOddProbeRunDecidesNothing) {
  ThreadGovernor lucky;
  feed(lucky, 1 + ThreadGovernor::kFirstProbeAfter, 1.0, 1.6);
  ASSERT_TRUE(lucky.single_thread_next());
  for (double seconds : {0.5, 1.6, 1.6}) lucky.record(seconds);
  EXPECT_FALSE(lucky.single_thread());
  ThreadGovernor preempted;
  feed(preempted, 1 + ThreadGovernor::kFirstProbeAfter, 0.3, 0.016);
  ASSERT_TRUE(preempted.single_thread_next());
  for (double seconds : {0.016, 0.29, 0.016}) preempted.record(seconds);
  EXPECT_TRUE(preempted.single_thread());
}

TEST(ThreadGovernor, NoiseWithinTheMarginSwitchesNothing) {
  ThreadGovernor governor;
  feed(governor, 200, 1.0, 0.9);  // one thread 10% faster: inside the 15% margin
  EXPECT_FALSE(governor.single_thread());
  EXPECT_EQ(governor.switches(), 0);
}

TEST(ThreadGovernor, DisabledAlwaysUsesTheConfiguredThreads) {
  ThreadGovernor governor(false);
  EXPECT_EQ(feed(governor, 100, 1.0, 0.01), 0);
  EXPECT_FALSE(governor.single_thread());
}

}  // namespace
}  // namespace leanrt::runtime
