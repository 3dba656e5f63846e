#include "leanrt/runtime/thread_governor.h"

#include <algorithm>

namespace leanrt::runtime {

double ThreadGovernor::recent_median() const {
  const int count = std::min(recent_count_, kRecent);
  std::array<double, kRecent> sorted = recent_;
  std::nth_element(sorted.begin(), sorted.begin() + count / 2, sorted.begin() + count);
  return sorted[count / 2];
}

void ThreadGovernor::record(double seconds) {
  if (!adapt_) return;
  if (!first_run_seen_) {
    first_run_seen_ = true;
    return;
  }
  if (probing_) {
    probe_[probe_runs_] = seconds;
    if (++probe_runs_ < kProbeRuns) return;
    probing_ = false;
    runs_since_probe_ = 0;
    std::sort(probe_.begin(), probe_.end());
    const double probe_median = probe_[kProbeRuns / 2];
    if (probe_median < kSwitchMargin * recent_median()) {
      single_ = !single_;
      ++switches_;
      probe_interval_ = kConfirmAfter;
      // The new setting's history starts with what the probe measured.
      recent_.fill(probe_median);
      recent_count_ = kRecent;
    } else {
      probe_interval_ = std::clamp(2 * probe_interval_, kProbeInterval, kMaxProbeInterval);
    }
    median_at_probe_ = recent_median();
    return;
  }
  recent_[recent_count_ % kRecent] = seconds;
  ++recent_count_;
  ++runs_since_probe_;
  const bool first = switches_ == 0 && median_at_probe_ == 0;
  const bool due = first ? runs_since_probe_ >= kFirstProbeAfter : runs_since_probe_ >= probe_interval_;
  const bool slowed = !first && runs_since_probe_ >= kRecent && recent_median() > kSlowdown * median_at_probe_;
  if (due || slowed) {
    probing_ = true;
    probe_runs_ = 0;
  }
}

}  // namespace leanrt::runtime
