// Helpers shared by the reference kernels: dtype dispatch, broadcasting
// index walks, a simple Kernel built from a lambda.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>

#include "leanrt/kernels/kernel.h"

namespace leanrt::kernels::ref {

// Calls fn.template operator()<T>() with T the C++ type of `dtype` and
// returns its result (a Status or an Expected), or `unsupported` naming the
// dtype.
template <typename Fn>
auto visit_numeric(DType dtype, Fn&& fn) -> decltype(fn.template operator()<float>()) {
  switch (dtype) {
    case DType::kF32: return fn.template operator()<float>();
    case DType::kF64: return fn.template operator()<double>();
    case DType::kI32: return fn.template operator()<int32_t>();
    case DType::kI64: return fn.template operator()<int64_t>();
    case DType::kI8: return fn.template operator()<int8_t>();
    case DType::kU8: return fn.template operator()<uint8_t>();
    case DType::kI16: return fn.template operator()<int16_t>();
    case DType::kU16: return fn.template operator()<uint16_t>();
    case DType::kU32: return fn.template operator()<uint32_t>();
    case DType::kU64: return fn.template operator()<uint64_t>();
    case DType::kBool: return fn.template operator()<bool>();
    default: return unsupported("dtype {} is not supported here", dtype_name(dtype));
  }
}

// Walks an output shape and, for each input, the offset TF broadcasting maps
// each output element to. Adjacent axes that move together are merged so
// the innermost run is as long as possible. No allocation.
class BroadcastWalk {
 public:
  static constexpr int kMaxInputs = 4;
  BroadcastWalk() = default;
  BroadcastWalk(const Dims& output, std::initializer_list<Dims> inputs);

  // fn(output_offset, input_offsets[], count, input_steps[]) for each
  // innermost run of `count` elements; input k advances by input_steps[k].
  template <typename Fn>
  void for_each_run(Fn&& fn) const {
    for_each_run(0, runs(), fn);
  }

  // Innermost runs in all, and fn for runs [first, last) only: disjoint
  // ranges of runs can go to different threads.
  int64_t runs() const { return total_ == 0 ? 0 : total_ / (rank_ > 0 ? dims_[rank_ - 1] : 1); }
  template <typename Fn>
  void for_each_run(int64_t first, int64_t last, Fn&& fn) const {
    if (total_ == 0 || first >= last) return;
    int64_t index[kMaxRank] = {};
    int64_t offsets[kMaxInputs] = {};
    const int inner = rank_ - 1;
    const int64_t run = rank_ > 0 ? dims_[inner] : 1;
    int64_t steps[kMaxInputs];
    for (int k = 0; k < inputs_; ++k) steps[k] = rank_ > 0 ? strides_[k][inner] : 0;
    for (int64_t rest = first, axis = inner - 1; axis >= 0; --axis) {  // the odometer at run `first`
      index[axis] = rest % dims_[axis];
      rest /= dims_[axis];
      for (int k = 0; k < inputs_; ++k) offsets[k] += index[axis] * strides_[k][axis];
    }
    for (int64_t output_offset = first * run; output_offset < last * run; output_offset += run) {
      fn(output_offset, static_cast<const int64_t*>(offsets), run, static_cast<const int64_t*>(steps));
      for (int axis = inner - 1; axis >= 0; --axis) {  // odometer over the outer axes
        ++index[axis];
        for (int k = 0; k < inputs_; ++k) offsets[k] += strides_[k][axis];
        if (index[axis] < dims_[axis]) break;
        for (int k = 0; k < inputs_; ++k) offsets[k] -= strides_[k][axis] * dims_[axis];
        index[axis] = 0;
      }
    }
  }

 private:
  int rank_ = 0;
  int inputs_ = 0;
  int64_t total_ = 0;
  int64_t dims_[kMaxRank] = {};
  int64_t strides_[kMaxInputs][kMaxRank] = {};
};

// Row-major strides of a shape, in elements.
void row_major_strides(const Dims& shape, int64_t* strides);

// A kernel whose run is a std::function built at compile time. The
// function's captures are the precomputed state; calling it allocates nothing.
class LambdaKernel final : public Kernel {
 public:
  using RunFn = std::function<Status(const KernelIO&)>;
  LambdaKernel(std::string name, RunFn run, size_t scratch_bytes = 0)
      : name_(std::move(name)), run_(std::move(run)), scratch_bytes_(scratch_bytes) {}
  Status run(const KernelIO& io) override { return run_(io); }
  size_t scratch_bytes() const override { return scratch_bytes_; }
  std::string name() const override { return name_; }

 private:
  std::string name_;
  RunFn run_;
  size_t scratch_bytes_;
};

inline Expected<KernelPtr> make_kernel(std::string name, LambdaKernel::RunFn run, size_t scratch_bytes = 0) {
  return KernelPtr(new LambdaKernel(std::move(name), std::move(run), scratch_bytes));
}

// "<op in snake_case>_<short dtype>_ref", e.g. "leaky_relu_f32_ref".
std::string kernel_name(std::string_view op, DType dtype);
std::string short_dtype_name(DType dtype);
std::string snake_case(std::string_view name);

// Copies input 0 to output 0 unless they already share memory.
void copy_if_distinct(const TensorView& input, TensorView& output);

}  // namespace leanrt::kernels::ref

namespace leanrt::kernels::ref {

// A strided walk over `shape`: element at index i is at sum(i[a] * strides[a])
// (in elements) from the base pointer.
struct StridedView {
  Dims shape;
  int64_t strides[kMaxRank] = {};
  int64_t offset = 0;  // in elements
};

// Copies every element of the `source` walk to the same index of the
// `target` walk; both have the same shape. Merges contiguous axes and uses
// memcpy for contiguous innermost runs.
void copy_strided(std::byte* target_base, const StridedView& target, const std::byte* source_base,
                  const StridedView& source, size_t element_bytes);

// A dense row-major view of `shape` at `offset`.
StridedView dense_view(const Dims& shape, int64_t offset = 0);

}  // namespace leanrt::kernels::ref
