// Chooses, run by run, between the configured thread count and one thread,
// by measuring both.
//
// On a machine whose cores other processes also use, every OpenMP parallel
// region waits until the scheduler gives its worker threads a core: a
// time slice (milliseconds) per region, where the region's work takes
// microseconds. Measured with two busy processes on this 2-core machine:
// selfie at batch 1 took 360 ms a run on 2 threads against 6.4 ms on one,
// signlang 16 ms against 0.085. On an idle machine the threads pay off. No
// setting fits both, so the governor tries the other one now and then and
// keeps whichever ran faster:
//
//   ThreadGovernor governor(/*adapt=*/true);
//   for (...) {
//     const bool single = governor.single_thread_next();
//     ... run on one thread if `single` ...
//     governor.record(seconds);
//   }
//
// Policy: the first run (cold: code faulting back in) is not counted, and
// the first probe waits for kFirstProbeAfter warm runs (the runs right after
// compile are slower, which biased a probe made after 3 of them towards one
// thread). After them, kProbeRuns runs go to the other setting; it is kept
// when the median of those beats the median of the current setting's recent
// runs by kSwitchMargin (one lucky run of microseconds, or one preempted run
// under load, must not decide). The next probe comes after kRecent runs following a switch (to
// confirm it), else after kProbeInterval runs, twice as many after each probe
// that changed nothing (up to kMaxProbeInterval: on an idle machine a probe
// of one thread costs about 0.2% of the runs' time), or at once when the
// median of the recent runs grows kSlowdown times past what it was at the
// last probe (cores became contended). Nothing here allocates; it is cheap
// enough for every run.
#pragma once

#include <array>
#include <cstdint>

namespace leanrt::runtime {

class ThreadGovernor {
 public:
  static constexpr int kFirstProbeAfter = 8;
  static constexpr int kProbeInterval = 32;
  static constexpr int kMaxProbeInterval = 1024;
  static constexpr int kProbeRuns = 3;
  static constexpr int kConfirmAfter = 4;  // runs after a switch before the probe confirming it
  static constexpr double kSwitchMargin = 0.85;  // the other setting must take <= 85% of the time
  static constexpr double kSlowdown = 1.5;

  // `adapt` false: always the configured thread count.
  explicit ThreadGovernor(bool adapt = true) : adapt_(adapt) {}

  // Whether the next run should use one thread instead of the configured count.
  bool single_thread_next() const { return probing_ ? !single_ : single_; }
  // The wall time of the run just made with the setting single_thread_next() gave.
  void record(double seconds);

  bool single_thread() const { return single_; }  // the setting kept now
  int64_t switches() const { return switches_; }

  static constexpr int kRecent = 8;  // runs in the recent median

 private:
  double recent_median() const;

  bool adapt_ = true;
  bool single_ = false;   // the kept setting
  bool probing_ = false;  // the next runs try the other setting
  int runs_since_probe_ = 0;
  int probe_interval_ = kProbeInterval;
  double median_at_probe_ = 0;  // the kept setting's median when last decided
  int probe_runs_ = 0;
  std::array<double, kProbeRuns> probe_{};  // the probe's run times
  bool first_run_seen_ = false;
  std::array<double, kRecent> recent_{};  // the kept setting's latest run times, a ring
  int recent_count_ = 0;
  int64_t switches_ = 0;
};

}  // namespace leanrt::runtime
