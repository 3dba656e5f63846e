// Fast float32 Transpose. The permutation is reduced at compile time (size-1
// axes dropped, output axes that read adjacent input memory merged), which
// turns NCHW -> NHWC into a batch of [C, HW] -> [HW, C] matrix transposes and
// leaves three cases:
// - the innermost input axis stays innermost: copy whole rows;
// - otherwise two axes swap innermost: transpose 32x32 blocks of them, each
//   as 8x8 register tiles (AVX), so a block's reads and writes stay in L1;
//   when the output rows are 2-4 floats (an RGB image to NHWC), no tile
//   fits and a loop specialised on the row length interleaves them;
// - nothing moves (rank <= 1 after merging): one memcpy.
// The reference walks element by element through copy_strided, one element
// per step when the innermost strides differ.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "leanrt/kernels/fast/copy_floats.h"
#include "leanrt/kernels/fast/fast.h"
#include "leanrt/kernels/fast/parallel_rows.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::fast {
namespace {

// Output dims after merging, each with the input stride (in elements) it
// walks; the output itself is dense.
struct MergedTranspose {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t source_strides[kMaxRank] = {};
};

MergedTranspose merge_axes(const Shape& input, const std::vector<int64_t>& perm) {
  const int input_rank = static_cast<int>(input.size());
  int64_t input_strides[kMaxRank];
  int64_t stride = 1;
  for (int axis = input_rank - 1; axis >= 0; --axis) {
    input_strides[axis] = stride;
    stride *= input[axis];
  }
  MergedTranspose merged;
  for (int axis = 0; axis < input_rank; ++axis) {
    const int64_t from = perm[axis] < 0 ? perm[axis] + input_rank : perm[axis];
    const int64_t dim = input[from];
    if (dim == 1) continue;
    const int last = merged.rank - 1;
    if (last >= 0 && merged.source_strides[last] == input_strides[from] * dim) {
      merged.dims[last] *= dim;
      merged.source_strides[last] = input_strides[from];
      continue;
    }
    merged.dims[merged.rank] = dim;
    merged.source_strides[merged.rank] = input_strides[from];
    ++merged.rank;
  }
  return merged;
}

// dst[i][j] = src[j][i] for an 8x8 tile: src rows are `source_stride`
// apart, dst rows `target_stride` apart (in floats).
inline void transpose_8x8(const float* src, int64_t source_stride, float* dst, int64_t target_stride) {
#if defined(__AVX__)
  const __m256 r0 = _mm256_loadu_ps(src + 0 * source_stride), r1 = _mm256_loadu_ps(src + 1 * source_stride);
  const __m256 r2 = _mm256_loadu_ps(src + 2 * source_stride), r3 = _mm256_loadu_ps(src + 3 * source_stride);
  const __m256 r4 = _mm256_loadu_ps(src + 4 * source_stride), r5 = _mm256_loadu_ps(src + 5 * source_stride);
  const __m256 r6 = _mm256_loadu_ps(src + 6 * source_stride), r7 = _mm256_loadu_ps(src + 7 * source_stride);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  _mm256_storeu_ps(dst + 0 * target_stride, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(dst + 1 * target_stride, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(dst + 2 * target_stride, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(dst + 3 * target_stride, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(dst + 4 * target_stride, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(dst + 5 * target_stride, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(dst + 6 * target_stride, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(dst + 7 * target_stride, _mm256_permute2f128_ps(u3, u7, 0x31));
#else
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) dst[i * target_stride + j] = src[j * source_stride + i];
#endif
}

// A tile of rows x columns at most 8 x 8: dst[i][j] = src[j][i].
inline void transpose_edge(const float* src, int64_t source_stride, float* dst, int64_t target_stride, int64_t rows,
                           int64_t columns) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < columns; ++j) dst[i * target_stride + j] = src[j * source_stride + i];
}

// The whole rows x kColumns matrix when the output rows are kColumns < 8
// floats apart and dense (NCHW -> NHWC of an RGB image: [3, HW] -> [HW, 3]):
// no 8x8 tile fits, and with the row length known the compiler vectorises
// the interleaving stores.
template <int kColumns>
void transpose_narrow(const float* __restrict src, int64_t source_stride, float* __restrict dst, int64_t rows) {
  for (int64_t i = 0; i < rows; ++i)
    for (int j = 0; j < kColumns; ++j) dst[i * kColumns + j] = src[j * source_stride + i];
}

using NarrowTranspose = void (*)(const float*, int64_t, float*, int64_t);

NarrowTranspose narrow_transpose(int64_t columns) {
  switch (columns) {
    case 2: return &transpose_narrow<2>;
    case 3: return &transpose_narrow<3>;
    case 4: return &transpose_narrow<4>;
    default: return nullptr;
  }
}

// Axes other than the two that swap: dims and the strides both sides walk.
struct OuterAxes {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t source_strides[kMaxRank] = {};
  int64_t target_strides[kMaxRank] = {};
  int64_t count = 1;

  // Source and target offsets of outer index `index` (row-major over dims).
  void offsets(int64_t index, int64_t& source, int64_t& target) const {
    source = target = 0;
    for (int axis = rank - 1; axis >= 0; --axis) {
      const int64_t i = index % dims[axis];
      index /= dims[axis];
      source += i * source_strides[axis];
      target += i * target_strides[axis];
    }
  }
};

// Rows of kRun < 8 floats that move whole, `count` of them one source
// stride apart (DepthToSpace of a 1- or 2-channel map: rows of 2-4 floats):
// with the row length known the compiler unrolls the copies, where a
// memcpy and an odometer step per row cost more than the row.
template <int kRun>
void gather_short_rows(const float* __restrict src, int64_t source_stride, float* __restrict dst, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    for (int j = 0; j < kRun; ++j) dst[i * kRun + j] = src[i * source_stride + j];
}

using ShortRowGather = void (*)(const float*, int64_t, float*, int64_t);

ShortRowGather short_row_gather(int64_t run) {
  switch (run) {
    case 1: return &gather_short_rows<1>;
    case 2: return &gather_short_rows<2>;
    case 3: return &gather_short_rows<3>;
    case 4: return &gather_short_rows<4>;
    case 6: return &gather_short_rows<6>;
    case 8: return &gather_short_rows<8>;
    default: return nullptr;
  }
}

// A 32x32 block is 4 KiB read and 4 KiB written: both stay in L1 while its
// 8x8 tiles are done, whichever side is strided.
constexpr int64_t kBlock = 32;

}  // namespace

namespace {

// The transpose of a dense float `input` by `perm`, as a kernel named `name`
// reading input 0 and writing output 0.
Expected<KernelPtr> transpose_kernel(const std::string& name, const Shape& input, const std::vector<int64_t>& perm) {
  const int64_t total = num_elements(input);
  const int64_t total_bytes = total * static_cast<int64_t>(sizeof(float));
  const MergedTranspose merged = merge_axes(input, perm);
  const int rank = merged.rank;

  if (rank <= 1 || total == 0) {  // nothing moves
    return ref::make_kernel(name, [total, total_bytes](const KernelIO& io) {
      const float* in = io.input(0).as<const float>();
      float* out = io.output(0).as<float>();
      if (in == out) return Status::ok();
      parallel_rows(total, total_bytes, [&](int64_t begin, int64_t end) {
        std::memcpy(out + begin, in + begin, static_cast<size_t>(end - begin) * sizeof(float));
      });
      return Status::ok();
    });
  }

  if (merged.source_strides[rank - 1] == 1) {  // rows of the innermost axis move whole
    OuterAxes outer;
    outer.rank = rank - 1;
    const int64_t run = merged.dims[rank - 1];
    int64_t stride = run;
    for (int axis = rank - 2; axis >= 0; --axis) {
      outer.dims[axis] = merged.dims[axis];
      outer.source_strides[axis] = merged.source_strides[axis];
      outer.target_strides[axis] = stride;
      stride *= merged.dims[axis];
      outer.count *= merged.dims[axis];
    }
    if (const ShortRowGather gather = short_row_gather(run); gather != nullptr) {
      // Short rows: the last outer axis goes to one unrolled loop per group.
      const int64_t group = outer.dims[outer.rank - 1], group_stride = outer.source_strides[outer.rank - 1];
      OuterAxes groups = outer;
      groups.rank = outer.rank - 1;
      groups.count = outer.count / group;
      return ref::make_kernel(name, [groups, group, group_stride, run, gather, total_bytes](const KernelIO& io) {
        const float* in = io.input(0).as<const float>();
        float* out = io.output(0).as<float>();
        parallel_rows(groups.count, total_bytes, [&](int64_t begin, int64_t end) {
          for (int64_t g = begin; g < end; ++g) {
            int64_t source = 0, target = 0;
            groups.offsets(g, source, target);
            gather(in + source, group_stride, out + g * group * run, group);
          }
        });
        return Status::ok();
      });
    }
    return ref::make_kernel(name, [outer, run, total_bytes](const KernelIO& io) {
      const float* in = io.input(0).as<const float>();
      float* out = io.output(0).as<float>();
      parallel_rows(outer.count, total_bytes, [&](int64_t begin, int64_t end) {
        int64_t index[kMaxRank] = {};
        int64_t rest = begin;
        int64_t source = 0;
        for (int axis = outer.rank - 1; axis >= 0; --axis) {
          index[axis] = rest % outer.dims[axis];
          rest /= outer.dims[axis];
          source += index[axis] * outer.source_strides[axis];
        }
        for (int64_t row = begin; row < end; ++row) {
          copy_floats(out + row * run, in + source, run);
          for (int axis = outer.rank - 1; axis >= 0; --axis) {  // odometer
            source += outer.source_strides[axis];
            if (++index[axis] < outer.dims[axis]) break;
            source -= outer.source_strides[axis] * outer.dims[axis];
            index[axis] = 0;
          }
        }
      });
      return Status::ok();
    });
  }

  // Two axes swap innermost: output axis `rows_axis` reads input memory with
  // stride 1 and the last output axis reads it with stride `column_stride`.
  int rows_axis = 0;
  while (merged.source_strides[rows_axis] != 1) ++rows_axis;
  int64_t target_strides[kMaxRank];
  int64_t stride = 1;
  for (int axis = rank - 1; axis >= 0; --axis) {
    target_strides[axis] = stride;
    stride *= merged.dims[axis];
  }
  const int64_t rows = merged.dims[rows_axis], columns = merged.dims[rank - 1];
  const int64_t column_stride = merged.source_strides[rank - 1], row_stride = target_strides[rows_axis];
  OuterAxes outer;
  for (int axis = 0; axis < rank - 1; ++axis) {
    if (axis == rows_axis) continue;
    outer.dims[outer.rank] = merged.dims[axis];
    outer.source_strides[outer.rank] = merged.source_strides[axis];
    outer.target_strides[outer.rank] = target_strides[axis];
    outer.count *= merged.dims[axis];
    ++outer.rank;
  }
  if (const NarrowTranspose narrow = narrow_transpose(columns); narrow != nullptr && row_stride == columns) {
    const int64_t row_blocks = (rows + kBlock * 8 - 1) / (kBlock * 8), blocks = outer.count * row_blocks;
    return ref::make_kernel(name, [=](const KernelIO& io) {
      const float* in = io.input(0).as<const float>();
      float* out = io.output(0).as<float>();
      parallel_rows(blocks, total_bytes, [&](int64_t begin, int64_t end) {
        for (int64_t block = begin; block < end; ++block) {
          int64_t source, target;
          outer.offsets(block / row_blocks, source, target);
          const int64_t row_begin = block % row_blocks * kBlock * 8;
          const int64_t row_end = std::min(rows, row_begin + kBlock * 8);
          narrow(in + source + row_begin, column_stride, out + target + row_begin * row_stride, row_end - row_begin);
        }
      });
      return Status::ok();
    });
  }
  const int64_t row_blocks = (rows + kBlock - 1) / kBlock, column_blocks = (columns + kBlock - 1) / kBlock;
  const int64_t blocks = outer.count * row_blocks * column_blocks;
  return ref::make_kernel(
      "transpose_f32_fast",
      [=](const KernelIO& io) {
        const float* in = io.input(0).as<const float>();
        float* out = io.output(0).as<float>();
        parallel_rows(blocks, total_bytes, [&](int64_t begin, int64_t end) {
          for (int64_t block = begin; block < end; ++block) {
            const int64_t column_block = block % column_blocks;
            const int64_t row_block = block / column_blocks % row_blocks;
            int64_t source, target;
            outer.offsets(block / column_blocks / row_blocks, source, target);
            const int64_t row_begin = row_block * kBlock, row_end = std::min(rows, row_begin + kBlock);
            const int64_t column_begin = column_block * kBlock, column_end = std::min(columns, column_begin + kBlock);
            for (int64_t i = row_begin; i < row_end; i += 8) {
              const int64_t tile_rows = std::min<int64_t>(8, row_end - i);
              for (int64_t j = column_begin; j < column_end; j += 8) {
                const int64_t tile_columns = std::min<int64_t>(8, column_end - j);
                const float* src = in + source + j * column_stride + i;
                float* dst = out + target + i * row_stride + j;
                if (tile_rows == 8 && tile_columns == 8) transpose_8x8(src, column_stride, dst, row_stride);
                else transpose_edge(src, column_stride, dst, row_stride, tile_rows, tile_columns);
              }
            }
          }
        });
        return Status::ok();
      });
}

}  // namespace

Expected<KernelPtr> make_transpose(const KernelContext& context, const KernelOptions&) {
  if (context.input(0).dtype != DType::kF32 || context.output(0).dtype != DType::kF32) return KernelPtr();
  LEANRT_ASSIGN_OR_RETURN(std::vector<int64_t> perm, context.const_ints(1));
  const Shape& input = context.input(0).shape;
  if (perm.size() != input.size() || input.size() > static_cast<size_t>(kMaxRank)) return KernelPtr();
  return transpose_kernel("transpose_f32_fast", input, perm);
}

// NHWC DepthToSpace(b) is a transpose of the input viewed as [N, H, W, b, b*C]
// to [N, H, b, W, b*C] (TF's DCR order), and SpaceToDepth the same perm of
// the input viewed as [N, H, b, W, b*C].
Expected<KernelPtr> make_depth_to_space(const KernelContext& context, const KernelOptions&) {
  if (context.input(0).dtype != DType::kF32 || context.output(0).dtype != DType::kF32) return KernelPtr();
  if (context.attrs().get_or<std::string>("data_format", "NHWC") != "NHWC") return KernelPtr();
  const int64_t block = context.attrs().get_or<int64_t>("block_size", 2);
  const bool to_space = context.node().op == "DepthToSpace";
  const Shape& space = to_space ? context.output(0).shape : context.input(0).shape;
  if (space.size() != 4 || block < 1) return KernelPtr();
  const int64_t batch = space[0], height = space[1] / block, width = space[2] / block, channels = space[3];
  const Shape view = to_space ? Shape{batch, height, width, block, block * channels}
                              : Shape{batch, height, block, width, block * channels};
  return transpose_kernel(to_space ? "depth_to_space_f32_fast" : "space_to_depth_f32_fast", view, {0, 1, 3, 2, 4});
}

}  // namespace leanrt::kernels::fast
