// The profile as one self-contained HTML page: no network, no scripts or
// fonts from elsewhere; inline SVG charts and a little inline CSS and JS.
//
//   std::string page = profile_html(report, sweep_rows, compare_rows, limit);
//
// Charts (each an <svg> with labelled axes): live bytes across the op
// sequence with the peak marked, the arena map (each tensor a rectangle:
// lifetime x offset), per-op time bars, and, when a sweep ran, peak memory
// and throughput per batch size.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "leanrt/profile/profiler.h"
#include "leanrt/profile/sweep.h"

namespace leanrt::profile {

std::string profile_html(const ProfileReport& report, const std::vector<SweepRow>& sweep,
                         const std::vector<CompareRow>& compare, std::optional<size_t> limit_bytes);

}  // namespace leanrt::profile
