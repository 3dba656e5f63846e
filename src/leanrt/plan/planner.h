// Memory planning: which byte range of the one activation arena each tensor
// occupies. Pure: it sees sizes and lifetimes, never kernels, graphs or I/O,
// so it can be tested exhaustively and asked "how much for batch B?"
// without running anything.
//
//   PlanInput input;
//   input.tensors = {{4096, 0, 2}, {4096, 1, 3}};   // bytes, first step, last step
//   input.shares = {{1, 0, ShareKind::kInPlace}};  // tensor 1 may overwrite tensor 0
//   LEANRT_ASSIGN_OR_RETURN(Plan plan, plan_memory(input));
//   LEANRT_RETURN_IF_ERROR(verify_plan(input, plan));
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "leanrt/base/status.h"

namespace leanrt::plan {

// A tensor is live from the step that writes it to the last step that reads
// it, inclusive.
struct TensorLifetime {
  size_t size_bytes = 0;
  int first_step = 0;
  int last_step = 0;
};

enum class ShareKind {
  // `tensor` holds exactly `source`'s bytes (a reshape): always share.
  kAlias,
  // `tensor` may be written over `source` if nothing reads `source` (or any
  // tensor already sharing its buffer) after `tensor`'s first step.
  kInPlace,
  // `tensor` lives `byte_offset` bytes into `source`'s buffer: a concat input
  // computed where the concat output will hold it, so the concat copies
  // nothing. `source` is written later, at the step where `tensor` dies.
  // Applied per `source` only when all its slices are disjoint, aligned and
  // inside it; a slice overrides the tensor's own share request.
  kSlice,
};

struct ShareRequest {
  int tensor = 0;
  int source = 0;
  ShareKind kind = ShareKind::kInPlace;
  size_t byte_offset = 0;  // kSlice only
};

struct PlanInput {
  std::vector<TensorLifetime> tensors;
  std::vector<ShareRequest> shares;  // applied in order
  size_t alignment = 64;
};

// One arena region: the tensors sharing it and their combined lifetime.
struct Buffer {
  size_t size_bytes = 0;  // rounded up to the alignment
  int first_step = 0;
  int last_step = 0;
  size_t offset = 0;
};

struct Plan {
  std::vector<int> buffer_of;       // per tensor
  std::vector<size_t> offsets;      // per tensor, bytes from the arena start
  std::vector<size_t> offset_in_buffer;  // per tensor: non-zero for slices only
  std::vector<Buffer> buffers;
  size_t arena_bytes = 0;
  // Max over steps of the bytes of buffers live at that step: no placement
  // of these buffers can use less.
  size_t arena_bytes_lower_bound = 0;
  int shares_applied = 0;
  std::string strategy;  // which placement produced the offsets
};

Expected<Plan> plan_memory(const PlanInput& input);

// Checks a plan independently of how it was made: buffers live at the same
// step never overlap, offsets are aligned, everything fits in the arena,
// tensors sharing a buffer are compatible, and lower bound <= arena.
Status verify_plan(const PlanInput& input, const Plan& plan);

}  // namespace leanrt::plan
