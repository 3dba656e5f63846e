#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

BroadcastWalk::BroadcastWalk(const Dims& output, std::initializer_list<Dims> inputs) {
  inputs_ = static_cast<int>(inputs.size());
  total_ = output.elements();
  // Right-align each input and give broadcast axes stride 0.
  int64_t raw_strides[kMaxInputs][kMaxRank] = {};
  int k = 0;
  for (const Dims& input : inputs) {
    int64_t stride = 1;
    for (int axis = output.rank - 1; axis >= 0; --axis) {
      int input_axis = axis - (output.rank - input.rank);
      int64_t dim = input_axis >= 0 ? input.dim[input_axis] : 1;
      raw_strides[k][axis] = dim == 1 ? 0 : stride;
      stride *= dim;
    }
    ++k;
  }
  // Merge axis pairs where every input continues contiguously (or stays
  // broadcast) across the boundary; drop size-1 axes.
  rank_ = 0;
  for (int axis = 0; axis < output.rank; ++axis) {
    if (output.dim[axis] == 1 && output.rank > 1) continue;
    bool mergeable = rank_ > 0;
    for (int i = 0; mergeable && i < inputs_; ++i)
      mergeable = strides_[i][rank_ - 1] == raw_strides[i][axis] * output.dim[axis];
    if (mergeable) {
      dims_[rank_ - 1] *= output.dim[axis];
      for (int i = 0; i < inputs_; ++i) strides_[i][rank_ - 1] = raw_strides[i][axis];
    } else {
      dims_[rank_] = output.dim[axis];
      for (int i = 0; i < inputs_; ++i) strides_[i][rank_] = raw_strides[i][axis];
      ++rank_;
    }
  }
  if (rank_ == 0) {  // scalar or all-ones output: one run of one element
    rank_ = 1;
    dims_[0] = 1;
    for (int i = 0; i < inputs_; ++i) strides_[i][0] = 0;
  }
}

void row_major_strides(const Dims& shape, int64_t* strides) {
  int64_t stride = 1;
  for (int axis = shape.rank - 1; axis >= 0; --axis) {
    strides[axis] = stride;
    stride *= shape.dim[axis];
  }
}

std::string short_dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "f32";
    case DType::kF64: return "f64";
    case DType::kF16: return "f16";
    case DType::kI8: return "i8";
    case DType::kU8: return "u8";
    case DType::kI16: return "i16";
    case DType::kU16: return "u16";
    case DType::kI32: return "i32";
    case DType::kU32: return "u32";
    case DType::kI64: return "i64";
    case DType::kU64: return "u64";
    default: return std::string(dtype_name(dtype));
  }
}

std::string snake_case(std::string_view name) {
  std::string result;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool upper = c >= 'A' && c <= 'Z';
    bool after_lower = i > 0 && name[i - 1] >= 'a' && name[i - 1] <= 'z';
    if (upper && after_lower) result += '_';
    if (c == '_' && result.empty()) continue;  // "_FusedConv2D" -> "fused_conv2d"
    result += upper ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return result;
}

std::string kernel_name(std::string_view op, DType dtype) {
  return fmt::format("{}_{}_ref", snake_case(op), short_dtype_name(dtype));
}

void copy_if_distinct(const TensorView& input, TensorView& output) {
  if (input.data != output.data && output.size_bytes() > 0) std::memmove(output.data, input.data, output.size_bytes());
}

}  // namespace leanrt::kernels::ref

namespace leanrt::kernels::ref {

StridedView dense_view(const Dims& shape, int64_t offset) {
  StridedView view;
  view.shape = shape;
  view.offset = offset;
  row_major_strides(shape, view.strides);
  return view;
}

namespace {

template <typename Word>
void copy_run(std::byte* target, int64_t target_step, const std::byte* source, int64_t source_step, int64_t count) {
  Word* out = reinterpret_cast<Word*>(target);
  const Word* in = reinterpret_cast<const Word*>(source);
  for (int64_t i = 0; i < count; ++i) std::memcpy(out + i * target_step, in + i * source_step, sizeof(Word));
}

}  // namespace

void copy_strided(std::byte* target_base, const StridedView& target, const std::byte* source_base,
                  const StridedView& source, size_t element_bytes) {
  // Merge axes where both walks are contiguous across the boundary; drop
  // size-1 axes.
  int rank = 0;
  int64_t dims[kMaxRank], target_strides[kMaxRank], source_strides[kMaxRank];
  for (int axis = 0; axis < target.shape.rank; ++axis) {
    const int64_t dim = target.shape.dim[axis];
    if (dim == 0) return;
    if (dim == 1) continue;
    if (rank > 0 && target_strides[rank - 1] == target.strides[axis] * dim &&
        source_strides[rank - 1] == source.strides[axis] * dim) {
      dims[rank - 1] *= dim;
      target_strides[rank - 1] = target.strides[axis];
      source_strides[rank - 1] = source.strides[axis];
      continue;
    }
    dims[rank] = dim;
    target_strides[rank] = target.strides[axis];
    source_strides[rank] = source.strides[axis];
    ++rank;
  }
  if (rank == 0) {
    dims[0] = 1;
    target_strides[0] = source_strides[0] = 1;
    rank = 1;
  }
  const int inner = rank - 1;
  const int64_t run = dims[inner];
  const bool contiguous = target_strides[inner] == 1 && source_strides[inner] == 1;
  int64_t index[kMaxRank] = {};
  int64_t target_offset = target.offset, source_offset = source.offset;
  while (true) {
    std::byte* out = target_base + target_offset * static_cast<int64_t>(element_bytes);
    const std::byte* in = source_base + source_offset * static_cast<int64_t>(element_bytes);
    if (contiguous) {
      std::memmove(out, in, static_cast<size_t>(run) * element_bytes);
    } else {
      switch (element_bytes) {
        case 1: copy_run<uint8_t>(out, target_strides[inner], in, source_strides[inner], run); break;
        case 2: copy_run<uint16_t>(out, target_strides[inner], in, source_strides[inner], run); break;
        case 4: copy_run<uint32_t>(out, target_strides[inner], in, source_strides[inner], run); break;
        case 8: copy_run<uint64_t>(out, target_strides[inner], in, source_strides[inner], run); break;
        default:
          for (int64_t i = 0; i < run; ++i)
            std::memcpy(out + i * target_strides[inner] * element_bytes, in + i * source_strides[inner] * element_bytes,
                        element_bytes);
      }
    }
    int axis = inner - 1;
    for (; axis >= 0; --axis) {
      ++index[axis];
      target_offset += target_strides[axis];
      source_offset += source_strides[axis];
      if (index[axis] < dims[axis]) break;
      target_offset -= target_strides[axis] * dims[axis];
      source_offset -= source_strides[axis] * dims[axis];
      index[axis] = 0;
    }
    if (axis < 0) return;
  }
}

}  // namespace leanrt::kernels::ref
