#include "leanrt/plan/planner.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace leanrt::plan {
namespace {

size_t round_up(size_t bytes, size_t alignment) { return (bytes + alignment - 1) / alignment * alignment; }

bool overlaps_in_time(const Buffer& a, const Buffer& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

// Groups tensors into buffers, honouring the share requests that are safe.
struct Grouping {
  std::vector<int> buffer_of;
  std::vector<size_t> offset_in_buffer;
  std::vector<bool> is_slice;
  std::vector<Buffer> buffers;
  int shares_applied = 0;
};

// Whether the slices requested into `source` can all be honoured: each
// inside it, aligned, dead by the step `source` is written, in no other
// slice group, and never sharing bytes with another slice while both live
// (a slice and the tensor it was reshaped or computed in place from may
// share bytes: one dies where the other is written).
bool slices_fit(const PlanInput& input, int source, const std::vector<const ShareRequest*>& slices,
                const std::vector<int>& buffer_of) {
  const TensorLifetime& whole = input.tensors[source];
  if (buffer_of[source] >= 0) return false;
  for (const ShareRequest* slice : slices) {
    const TensorLifetime& part = input.tensors[slice->tensor];
    if (buffer_of[slice->tensor] >= 0 || slice->byte_offset % input.alignment != 0 ||
        slice->byte_offset + part.size_bytes > whole.size_bytes || part.last_step > whole.first_step)
      return false;
  }
  for (size_t i = 0; i < slices.size(); ++i)
    for (size_t j = i + 1; j < slices.size(); ++j) {
      const TensorLifetime& a = input.tensors[slices[i]->tensor];
      const TensorLifetime& b = input.tensors[slices[j]->tensor];
      if (slices[i]->tensor == slices[j]->tensor) return false;
      const bool bytes_meet = slices[i]->byte_offset < slices[j]->byte_offset + b.size_bytes &&
                              slices[j]->byte_offset < slices[i]->byte_offset + a.size_bytes;
      const bool both_live = a.first_step < b.last_step && b.first_step < a.last_step;
      if (bytes_meet && both_live) return false;
    }
  return true;
}

// One buffer per honoured slice group, holding the source and its slices
// from the first slice's step to the source's last.
void group_slices(const PlanInput& input, Grouping& grouping, std::vector<int>& written_at) {
  std::map<int, std::vector<const ShareRequest*>> slices_of;
  for (const ShareRequest& share : input.shares)
    if (share.kind == ShareKind::kSlice) slices_of[share.source].push_back(&share);
  for (const auto& [source, slices] : slices_of) {
    if (!slices_fit(input, source, slices, grouping.buffer_of)) continue;
    const TensorLifetime& whole = input.tensors[source];
    Buffer buffer{round_up(whole.size_bytes, input.alignment), whole.first_step, whole.last_step, 0};
    const int index = static_cast<int>(grouping.buffers.size());
    grouping.buffer_of[source] = index;
    for (const ShareRequest* slice : slices) {
      buffer.first_step = std::min(buffer.first_step, input.tensors[slice->tensor].first_step);
      grouping.buffer_of[slice->tensor] = index;
      grouping.offset_in_buffer[slice->tensor] = slice->byte_offset;
      grouping.is_slice[slice->tensor] = true;
      ++grouping.shares_applied;
    }
    grouping.buffers.push_back(buffer);
    written_at.push_back(-1);
  }
}

Grouping group_tensors(const PlanInput& input) {
  Grouping grouping;
  const size_t count = input.tensors.size();
  grouping.buffer_of.assign(count, -1);
  grouping.offset_in_buffer.assign(count, 0);
  grouping.is_slice.assign(count, false);
  // Tensors that a share request will fold into their source's buffer.
  std::vector<int> share_of(count, -1);
  for (size_t i = 0; i < input.shares.size(); ++i)
    if (input.shares[i].kind != ShareKind::kSlice) share_of[input.shares[i].tensor] = static_cast<int>(i);
  std::vector<int> written_at;  // per buffer: step of its last in-place write
  group_slices(input, grouping, written_at);

  // Visit tensors by first step so a source's buffer exists before its sharer.
  std::vector<int> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return input.tensors[a].first_step < input.tensors[b].first_step; });
  for (int tensor : order) {
    if (grouping.buffer_of[tensor] >= 0) continue;  // placed with its slice group
    const TensorLifetime& life = input.tensors[tensor];
    const size_t size = round_up(life.size_bytes, input.alignment);
    if (share_of[tensor] >= 0) {
      const ShareRequest& share = input.shares[share_of[tensor]];
      const int source_buffer = grouping.buffer_of[share.source];
      if (source_buffer >= 0) {
        Buffer& buffer = grouping.buffers[source_buffer];
        // Nothing joins a slice: it shares its bytes with the concat output.
        bool allowed = buffer.size_bytes == size && !grouping.is_slice[share.source];
        if (share.kind == ShareKind::kInPlace)
          allowed = allowed && buffer.last_step == life.first_step && written_at[source_buffer] != life.first_step;
        if (allowed) {
          buffer.first_step = std::min(buffer.first_step, life.first_step);
          buffer.last_step = std::max(buffer.last_step, life.last_step);
          if (share.kind == ShareKind::kInPlace) written_at[source_buffer] = life.first_step;
          grouping.buffer_of[tensor] = source_buffer;
          ++grouping.shares_applied;
          continue;
        }
      }
    }
    grouping.buffer_of[tensor] = static_cast<int>(grouping.buffers.size());
    grouping.buffers.push_back(Buffer{size, life.first_step, life.last_step, 0});
    written_at.push_back(-1);
  }
  return grouping;
}

size_t lower_bound_bytes(const std::vector<Buffer>& buffers) {
  int last_step = -1;
  for (const Buffer& buffer : buffers) last_step = std::max(last_step, buffer.last_step);
  if (last_step < 0) return 0;
  // Sweep: +size at first step, -size after last step.
  std::vector<long long> delta(static_cast<size_t>(last_step) + 2, 0);
  for (const Buffer& buffer : buffers) {
    delta[buffer.first_step] += static_cast<long long>(buffer.size_bytes);
    delta[buffer.last_step + 1] -= static_cast<long long>(buffer.size_bytes);
  }
  long long live = 0, peak = 0;
  for (long long change : delta) {
    live += change;
    peak = std::max(peak, live);
  }
  return static_cast<size_t>(peak);
}

// Places buffers in the given order, each at the best-fitting gap among the
// already placed buffers it overlaps in time (TFLite's greedy by size when
// the order is largest first).
size_t place_in_order(std::vector<Buffer>& buffers, const std::vector<int>& order) {
  std::vector<int> placed;
  placed.reserve(buffers.size());
  std::vector<std::pair<size_t, size_t>> taken;  // [offset, end) of conflicting buffers
  size_t arena = 0;
  for (int index : order) {
    Buffer& buffer = buffers[index];
    taken.clear();
    for (int other : placed)
      if (overlaps_in_time(buffer, buffers[other]))
        taken.emplace_back(buffers[other].offset, buffers[other].offset + buffers[other].size_bytes);
    std::sort(taken.begin(), taken.end());
    size_t best_offset = 0, best_gap = SIZE_MAX, cursor = 0;
    bool found = false;
    for (const auto& [start, end] : taken) {
      if (start > cursor) {
        size_t gap = start - cursor;
        if (gap >= buffer.size_bytes && gap < best_gap) {
          best_gap = gap;
          best_offset = cursor;
          found = true;
        }
      }
      cursor = std::max(cursor, end);
    }
    buffer.offset = found ? best_offset : cursor;
    arena = std::max(arena, buffer.offset + buffer.size_bytes);
    placed.push_back(index);
  }
  return arena;
}

}  // namespace

Expected<Plan> plan_memory(const PlanInput& input) {
  if (input.alignment == 0 || (input.alignment & (input.alignment - 1)) != 0)
    return invalid_argument("plan alignment {} is not a power of two", input.alignment);
  for (size_t i = 0; i < input.tensors.size(); ++i)
    if (input.tensors[i].first_step > input.tensors[i].last_step)
      return internal_error("tensor {}: first step {} is after last step {}", i, input.tensors[i].first_step,
                            input.tensors[i].last_step);
  for (const ShareRequest& share : input.shares)
    if (share.tensor < 0 || share.source < 0 || share.tensor >= static_cast<int>(input.tensors.size()) ||
        share.source >= static_cast<int>(input.tensors.size()) || share.tensor == share.source)
      return internal_error("share request {} -> {} names no valid pair of tensors", share.tensor, share.source);
  for (const ShareRequest& share : input.shares)
    if (share.kind != ShareKind::kSlice && share.byte_offset != 0)
      return internal_error("share request {} -> {}: only a slice has a byte offset", share.tensor, share.source);

  Grouping grouping = group_tensors(input);
  Plan plan;
  plan.buffer_of = std::move(grouping.buffer_of);
  plan.shares_applied = grouping.shares_applied;
  plan.arena_bytes_lower_bound = lower_bound_bytes(grouping.buffers);

  // Two orders, keep the smaller arena: largest first (greedy by size) and
  // largest first within each step of first use (keeps early tensors low).
  std::vector<int> by_size(grouping.buffers.size());
  std::iota(by_size.begin(), by_size.end(), 0);
  std::stable_sort(by_size.begin(), by_size.end(), [&](int a, int b) {
    return grouping.buffers[a].size_bytes > grouping.buffers[b].size_bytes;
  });
  std::vector<int> by_breadth = by_size;
  std::stable_sort(by_breadth.begin(), by_breadth.end(), [&](int a, int b) {
    const Buffer& x = grouping.buffers[a];
    const Buffer& y = grouping.buffers[b];
    size_t x_span = static_cast<size_t>(x.last_step - x.first_step + 1) * x.size_bytes;
    size_t y_span = static_cast<size_t>(y.last_step - y.first_step + 1) * y.size_bytes;
    return x_span > y_span;
  });
  std::vector<Buffer> size_buffers = grouping.buffers;
  std::vector<Buffer> breadth_buffers = grouping.buffers;
  size_t size_arena = place_in_order(size_buffers, by_size);
  size_t breadth_arena = place_in_order(breadth_buffers, by_breadth);
  if (breadth_arena < size_arena) {
    plan.buffers = std::move(breadth_buffers);
    plan.arena_bytes = breadth_arena;
    plan.strategy = "greedy by size x lifetime";
  } else {
    plan.buffers = std::move(size_buffers);
    plan.arena_bytes = size_arena;
    plan.strategy = "greedy by size";
  }
  plan.offset_in_buffer = std::move(grouping.offset_in_buffer);
  plan.offsets.resize(input.tensors.size());
  for (size_t t = 0; t < input.tensors.size(); ++t)
    plan.offsets[t] = plan.buffers[plan.buffer_of[t]].offset + plan.offset_in_buffer[t];
  return plan;
}

Status verify_plan(const PlanInput& input, const Plan& plan) {
  const size_t count = input.tensors.size();
  if (plan.buffer_of.size() != count || plan.offsets.size() != count || plan.offset_in_buffer.size() != count)
    return internal_error("plan covers {} tensors, input has {}", plan.offsets.size(), count);
  // A tensor may sit inside its buffer only where a slice request put it.
  std::vector<size_t> requested_offset(count, 0);
  for (const ShareRequest& share : input.shares)
    if (share.kind == ShareKind::kSlice) requested_offset[share.tensor] = share.byte_offset;
  for (size_t t = 0; t < count; ++t) {
    const int b = plan.buffer_of[t];
    if (b < 0 || b >= static_cast<int>(plan.buffers.size())) return internal_error("tensor {} has no buffer", t);
    const Buffer& buffer = plan.buffers[b];
    const TensorLifetime& life = input.tensors[t];
    const size_t inside = plan.offset_in_buffer[t];
    if (inside != 0 && inside != requested_offset[t])
      return internal_error("tensor {} sits {} bytes into its buffer, which no slice request asked", t, inside);
    if (plan.offsets[t] != buffer.offset + inside) return internal_error("tensor {} offset differs from its buffer's", t);
    if (inside + life.size_bytes > buffer.size_bytes)
      return internal_error("tensor {} ({} bytes at +{}) does not fit its buffer ({} bytes)", t, life.size_bytes,
                            inside, buffer.size_bytes);
    if (life.first_step < buffer.first_step || life.last_step > buffer.last_step)
      return internal_error("tensor {} lives outside its buffer's lifetime", t);
  }
  // Tensors sharing a buffer must not be live at once, except aliases of one
  // another (same bytes) and an in-place write at the step its source dies.
  std::vector<int> alias_root(input.tensors.size());
  std::iota(alias_root.begin(), alias_root.end(), 0);
  auto root = [&](int t) {
    while (alias_root[t] != t) t = alias_root[t] = alias_root[alias_root[t]];
    return t;
  };
  for (const ShareRequest& share : input.shares)
    if (share.kind == ShareKind::kAlias && plan.buffer_of[share.tensor] == plan.buffer_of[share.source])
      alias_root[root(share.tensor)] = root(share.source);
  std::vector<std::vector<int>> members(plan.buffers.size());
  for (size_t t = 0; t < input.tensors.size(); ++t) members[plan.buffer_of[t]].push_back(static_cast<int>(t));
  for (const auto& tensors : members)
    for (size_t i = 0; i < tensors.size(); ++i)
      for (size_t j = i + 1; j < tensors.size(); ++j) {
        const TensorLifetime& a = input.tensors[tensors[i]];
        const TensorLifetime& b = input.tensors[tensors[j]];
        const int shared_steps = std::min(a.last_step, b.last_step) - std::max(a.first_step, b.first_step) + 1;
        const bool touching = shared_steps == 1 && (a.last_step == b.first_step || b.last_step == a.first_step);
        const size_t a_start = plan.offset_in_buffer[tensors[i]], b_start = plan.offset_in_buffer[tensors[j]];
        const bool disjoint_bytes = a_start + a.size_bytes <= b_start || b_start + b.size_bytes <= a_start;
        if (shared_steps > 0 && !touching && !disjoint_bytes && root(tensors[i]) != root(tensors[j]))
          return internal_error("tensors {} (steps {}-{}) and {} (steps {}-{}) share a buffer while both live",
                                tensors[i], a.first_step, a.last_step, tensors[j], b.first_step, b.last_step);
      }
  for (size_t b = 0; b < plan.buffers.size(); ++b) {
    const Buffer& buffer = plan.buffers[b];
    if (buffer.offset % input.alignment != 0)
      return internal_error("buffer {} offset {} is not {}-byte aligned", b, buffer.offset, input.alignment);
    if (buffer.offset + buffer.size_bytes > plan.arena_bytes)
      return internal_error("buffer {} [{}, {}) exceeds the arena of {} bytes", b, buffer.offset,
                            buffer.offset + buffer.size_bytes, plan.arena_bytes);
  }
  std::vector<int> order(plan.buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return plan.buffers[a].offset < plan.buffers[b].offset; });
  for (size_t i = 0; i < order.size(); ++i) {
    const Buffer& a = plan.buffers[order[i]];
    for (size_t j = i + 1; j < order.size(); ++j) {
      const Buffer& b = plan.buffers[order[j]];
      if (b.offset >= a.offset + a.size_bytes) break;  // sorted by offset: no later buffer overlaps a
      if (overlaps_in_time(a, b))
        return internal_error("buffers {} [{}, {}) steps {}-{} and {} [{}, {}) steps {}-{} overlap while both live",
                              order[i], a.offset, a.offset + a.size_bytes, a.first_step, a.last_step, order[j],
                              b.offset, b.offset + b.size_bytes, b.first_step, b.last_step);
    }
  }
  if (plan.arena_bytes_lower_bound > plan.arena_bytes)
    return internal_error("lower bound {} exceeds the arena {}", plan.arena_bytes_lower_bound, plan.arena_bytes);
  return Status::ok();
}

}  // namespace leanrt::plan
