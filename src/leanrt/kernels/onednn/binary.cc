// oneDNN binary for float32 elementwise arithmetic with TF broadcasting
// (bias_add.cc uses it too). oneDNN's binary needs its
// first operand shaped like the output and broadcasts the second, so a
// commutative op whose broadcast operand comes first swaps them; other
// forms stay with the reference.
#include <algorithm>

#include "leanrt/kernels/onednn/broadcast_binary.h"
#include "leanrt/kernels/onednn/onednn.h"
#include "leanrt/kernels/onednn/onednn_kernel.h"

namespace leanrt::kernels::onednn {
namespace {

// Below this many output elements the reference loop beats a primitive call.
constexpr int64_t kMinElements = 1024;

struct BinaryForm {
  const char* op;
  dnnl::algorithm algorithm;
  bool commutative;
};

constexpr BinaryForm kForms[] = {
    {"Add", dnnl::algorithm::binary_add, true},     {"AddV2", dnnl::algorithm::binary_add, true},
    {"BiasAdd", dnnl::algorithm::binary_add, false}, {"Mul", dnnl::algorithm::binary_mul, true},
    {"Sub", dnnl::algorithm::binary_sub, false},    {"RealDiv", dnnl::algorithm::binary_div, false},
    {"Maximum", dnnl::algorithm::binary_max, true}, {"Minimum", dnnl::algorithm::binary_min, true},
};

dnnl::memory::desc dense_desc(const Shape& shape, size_t rank) {
  dnnl::memory::dims dims(rank - shape.size(), 1);
  dims.insert(dims.end(), shape.begin(), shape.end());
  dnnl::memory::dims strides(rank, 1);
  for (int axis = static_cast<int>(rank) - 2; axis >= 0; --axis) strides[axis] = strides[axis + 1] * dims[axis + 1];
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

}  // namespace

Expected<KernelPtr> make_broadcast_binary(const KernelContext& context, const KernelOptions& options) {
  const BinaryForm* form = nullptr;
  for (const BinaryForm& candidate : kForms)
    if (context.node().op == candidate.op) form = &candidate;
  if (form == nullptr || context.num_inputs() != 2) return KernelPtr();
  for (int i = 0; i < 2; ++i)
    if (context.input(i).dtype != DType::kF32) return KernelPtr();
  const Shape& out = context.output(0).shape;
  if (num_elements(out) < kMinElements || out.size() > 6) return KernelPtr();
  int full = 0;  // the operand shaped like the output (oneDNN's src0)
  if (context.input(0).shape != out) {
    if (!form->commutative || context.input(1).shape != out) return KernelPtr();
    full = 1;
  }
  const int other = 1 - full;
  if (context.input(other).shape.size() > out.size()) return KernelPtr();
  const int threads = primitive_threads(static_cast<double>(num_elements(out)), options.threads);
  ThreadCountScope thread_count(threads);
  const size_t rank = out.size();
  const dnnl::memory::desc dst = dense_desc(out, rank);
  const dnnl::memory::desc src1 = dense_desc(context.input(other).shape, rank);
  try {
    dnnl::binary::desc desc(form->algorithm, dst, src1, dst);
    dnnl::binary::primitive_desc pd(desc, base_attr(), cpu_engine());
    if (is_reference_implementation(pd)) return KernelPtr();
    OnednnKernelBuilder builder(kernel_name(context.node().op));
    builder.bind_runtime(DNNL_ARG_SRC_0, dst, {RuntimeSource::kInput, full});
    if (context.input(other).is_constant())
      builder.bind_fixed(DNNL_ARG_SRC_1, src1, context.input(other).constant->data);
    else
      builder.bind_runtime(DNNL_ARG_SRC_1, src1, {RuntimeSource::kInput, other});
    builder.bind_runtime(DNNL_ARG_DST, dst, {RuntimeSource::kOutput, 0});
    return builder.finish(dnnl::binary(pd), pd.scratchpad_desc(), threads);
  } catch (const dnnl::error& error) {
    return creation_error(context, "a binary", error);
  }
}

Expected<KernelPtr> make_binary(const KernelContext& context, const KernelOptions& options) {
  return make_broadcast_binary(context, options);
}

}  // namespace leanrt::kernels::onednn
