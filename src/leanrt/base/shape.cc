#include "leanrt/base/shape.h"

#include <fmt/format.h>

namespace leanrt {

int64_t num_elements(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

bool is_fully_known(const Shape& shape) {
  for (int64_t dim : shape)
    if (dim < 0) return false;
  return true;
}

std::string shape_string(const Shape& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

Dims::Dims(std::initializer_list<int64_t> dims) {
  for (int64_t d : dims) dim[rank++] = d;
}

Dims Dims::from(const Shape& shape) {
  Dims dims;
  dims.rank = static_cast<int>(shape.size());
  for (int axis = 0; axis < dims.rank; ++axis) dims.dim[axis] = shape[axis];
  return dims;
}

bool Dims::operator==(const Dims& other) const {
  if (rank != other.rank) return false;
  for (int axis = 0; axis < rank; ++axis)
    if (dim[axis] != other.dim[axis]) return false;
  return true;
}

}  // namespace leanrt
