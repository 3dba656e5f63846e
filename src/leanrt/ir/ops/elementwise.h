// Shared by the elementwise shape functions.
#pragma once

#include <string_view>

#include "leanrt/ir/op_table.h"

namespace leanrt::ir::ops {

// True for ops whose result is bool whatever their input type.
bool returns_bool(std::string_view op);
// Output type of an op applying TF broadcasting over inputs [first, last).
Expected<ValueType> broadcast_inputs(const InferContext& context, int first, int last);

}  // namespace leanrt::ir::ops
