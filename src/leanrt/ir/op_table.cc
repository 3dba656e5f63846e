#include "leanrt/ir/op_table.h"

#include <array>

namespace leanrt::ir {
namespace {

constexpr OpInfo kOps[] = {
#define LEANRT_OP(name, family, traits) {#name, OpFamily::family, traits},
#include "leanrt/ir/op_table.inc"
#undef LEANRT_OP
};

constexpr std::string_view kFamilyNames[] = {
#define LEANRT_FAMILY(family) #family,
#include "leanrt/ir/op_families.inc"
#undef LEANRT_FAMILY
};

constexpr InferFn kInferFunctions[] = {
#define LEANRT_FAMILY(family) &ops::infer_##family,
#include "leanrt/ir/op_families.inc"
#undef LEANRT_FAMILY
};

}  // namespace

const OpInfo* find_op(std::string_view name) {
  for (const OpInfo& op : kOps)
    if (op.name == name) return &op;
  return nullptr;
}

std::span<const OpInfo> all_ops() { return kOps; }
std::string_view family_name(OpFamily family) { return kFamilyNames[static_cast<int>(family)]; }
InferFn infer_function(OpFamily family) { return kInferFunctions[static_cast<int>(family)]; }

std::string InferContext::where() const {
  return fmt::format("{}: node \"{}\" ({})", graph_.source, node_.name, node_.op);
}

Expected<std::vector<int64_t>> InferContext::const_ints(int index) const {
  const Value& value = input(index);
  LEANRT_RETURN_IF_ERROR(expect_constant(index));
  const int64_t count = num_elements(value.shape);
  std::vector<int64_t> result(static_cast<size_t>(count));
  if (value.dtype == DType::kI32) {
    for (int64_t i = 0; i < count; ++i) result[i] = value.constant->as<int32_t>()[i];
  } else if (value.dtype == DType::kI64) {
    for (int64_t i = 0; i < count; ++i) result[i] = value.constant->as<int64_t>()[i];
  } else {
    return error("input {} (\"{}\"): expected int32 or int64, found {}", index, value.name,
                 dtype_name(value.dtype));
  }
  return result;
}

Expected<std::vector<double>> InferContext::const_floats(int index) const {
  const Value& value = input(index);
  LEANRT_RETURN_IF_ERROR(expect_constant(index));
  const int64_t count = num_elements(value.shape);
  std::vector<double> result(static_cast<size_t>(count));
  switch (value.dtype) {
    case DType::kF32: for (int64_t i = 0; i < count; ++i) result[i] = value.constant->as<float>()[i]; break;
    case DType::kF64: for (int64_t i = 0; i < count; ++i) result[i] = value.constant->as<double>()[i]; break;
    case DType::kI32: for (int64_t i = 0; i < count; ++i) result[i] = value.constant->as<int32_t>()[i]; break;
    case DType::kI64: for (int64_t i = 0; i < count; ++i) result[i] = static_cast<double>(value.constant->as<int64_t>()[i]); break;
    default:
      return error("input {} (\"{}\"): expected a numeric constant, found {}", index, value.name,
                   dtype_name(value.dtype));
  }
  return result;
}

// A shape argument that is a run-time value makes the node a dynamic step.
Status InferContext::expect_constant(int index) const {
  if (input(index).is_constant()) return Status::ok();
  return make_error(ErrorCode::kDynamicShape, "{}: input {} (\"{}\") decides the output shape but is only known at run time",
                    where(), index, input(index).name);
}

Status InferContext::expect_inputs(int min_count, int max_count) const {
  if (max_count < 0) max_count = min_count;
  int count = num_inputs();
  if (count < min_count || count > max_count) {
    if (min_count == max_count) return error("expected {} inputs, found {}", min_count, count);
    return error("expected {} to {} inputs, found {}", min_count, max_count, count);
  }
  return Status::ok();
}

Status InferContext::expect_rank(int index, int rank) const {
  if (static_cast<int>(shape(index).size()) != rank)
    return error("input {} (\"{}\"): expected rank {}, found rank {} {}", index, input(index).name, rank,
                 shape(index).size(), shape_string(shape(index)));
  return Status::ok();
}

}  // namespace leanrt::ir
