// TensorList: the run-time value behind TF1 TensorArrays and TF2 TensorList
// ops (dtype kVariant). A list of tensors, each held by shared ownership, so
// that "writing" one element makes a new list sharing the others. Lists only
// exist inside dynamic steps; they never live in the arena.
#pragma once

#include <memory>
#include <vector>

#include "leanrt/base/dtype.h"
#include "leanrt/base/mapped_file.h"
#include "leanrt/base/shape.h"

namespace leanrt::ir {

struct TensorListElement {
  ConstBytes bytes;  // empty owner: never written
  Shape shape;
};

struct TensorList {
  DType element_dtype = DType::kInvalid;
  Shape element_shape;  // declared; -1 dims and empty (unknown rank) allowed
  std::vector<TensorListElement> elements;

  size_t size_bytes() const {
    size_t total = 0;
    for (const auto& element : elements) total += element.bytes.size_bytes;
    return total;
  }
};

// The list a kVariant value points at (its data is the TensorList itself).
inline const TensorList* as_tensor_list(const std::byte* data) { return reinterpret_cast<const TensorList*>(data); }

}  // namespace leanrt::ir
