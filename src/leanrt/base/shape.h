// Shapes: dims as int64, -1 meaning "unknown until compile".
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace leanrt {

using Shape = std::vector<int64_t>;

constexpr int64_t kUnknownDim = -1;

// Product of dims; 1 for a scalar. Requires every dim known.
int64_t num_elements(const Shape& shape);
bool is_fully_known(const Shape& shape);
// "[1, 64, 64, 3]"; unknown dims print as -1.
std::string shape_string(const Shape& shape);

// Fixed-capacity dims for the run path, where a std::vector would allocate.
constexpr int kMaxRank = 8;

struct Dims {
  int rank = 0;
  int64_t dim[kMaxRank] = {};

  Dims() = default;
  Dims(std::initializer_list<int64_t> dims);
  static Dims from(const Shape& shape);
  Shape to_shape() const { return Shape(dim, dim + rank); }
  int64_t operator[](int axis) const { return dim[axis]; }
  int64_t& operator[](int axis) { return dim[axis]; }
  int64_t elements() const {
    int64_t count = 1;
    for (int axis = 0; axis < rank; ++axis) count *= dim[axis];
    return count;
  }
  bool operator==(const Dims& other) const;
};

}  // namespace leanrt
