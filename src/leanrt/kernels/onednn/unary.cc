// oneDNN eltwise for the float32 transcendental unary ops, on the tensor as
// one flat vector (the piecewise-linear ones are kernels/fast/elementwise.cc's).
#include "leanrt/kernels/onednn/onednn.h"
#include "leanrt/kernels/onednn/onednn_kernel.h"

namespace leanrt::kernels::onednn {
namespace {

// Below this many elements the reference loop beats a primitive call.
constexpr int64_t kMinElements = 1024;

struct EltwiseForm {
  const char* op;
  dnnl::algorithm algorithm;
  float alpha, beta;
};

// TF semantics: Elu alpha 1.
constexpr EltwiseForm kForms[] = {
    {"Elu", dnnl::algorithm::eltwise_elu, 1.0f, 0.0f},
    {"Sigmoid", dnnl::algorithm::eltwise_logistic, 0.0f, 0.0f},
    {"Tanh", dnnl::algorithm::eltwise_tanh, 0.0f, 0.0f},
    {"Exp", dnnl::algorithm::eltwise_exp, 0.0f, 0.0f},
    {"Sqrt", dnnl::algorithm::eltwise_sqrt, 0.0f, 0.0f},
};

}  // namespace

Expected<KernelPtr> make_unary(const KernelContext& context, const KernelOptions& options) {
  if (context.input(0).dtype != DType::kF32 || context.output(0).dtype != DType::kF32) return KernelPtr();
  const int64_t elements = num_elements(context.output(0).shape);
  if (elements < kMinElements) return KernelPtr();
  const EltwiseForm* form = nullptr;
  for (const EltwiseForm& candidate : kForms)
    if (context.node().op == candidate.op) form = &candidate;
  if (form == nullptr) return KernelPtr();
  const float alpha = form->alpha;
  const int threads = primitive_threads(static_cast<double>(elements), options.threads);
  ThreadCountScope thread_count(threads);
  const dnnl::memory::desc flat({elements}, dnnl::memory::data_type::f32, dnnl::memory::dims{1});
  try {
    dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, form->algorithm, flat, alpha, form->beta);
    dnnl::eltwise_forward::primitive_desc pd(desc, base_attr(), cpu_engine());
    if (is_reference_implementation(pd)) return KernelPtr();
    OnednnKernelBuilder builder(kernel_name(context.node().op));
    builder.bind_runtime(DNNL_ARG_SRC, flat, {RuntimeSource::kInput, 0});
    builder.bind_runtime(DNNL_ARG_DST, flat, {RuntimeSource::kOutput, 0});
    return builder.finish(dnnl::eltwise_forward(pd), pd.scratchpad_desc(), threads);
  } catch (const dnnl::error& error) {
    return creation_error(context, "an eltwise", error);
  }
}

}  // namespace leanrt::kernels::onednn
