// Pointwise convolutions (1x1 window, stride 1, no padding, NHWC float32)
// as the packed GEMM (packed_gemm.h): the pixels are its rows, the input
// channels its K, the HWIO filter [1, 1, K, N] its constant operand.
#include "leanrt/ir/ops/shape_util.h"
#include "leanrt/kernels/fast/fast.h"
#include "leanrt/kernels/fast/packed_gemm.h"
#include "leanrt/kernels/onednn/onednn_kernel.h"

namespace leanrt::kernels::fast {
namespace {

bool is_pointwise(const KernelContext& context) {
  if (context.node().op.find("Depthwise") != std::string::npos) return false;
  if (context.input(0).dtype != DType::kF32 || context.input(1).dtype != DType::kF32) return false;
  const Shape& input = context.input(0).shape;
  const Shape& filter = context.input(1).shape;
  if (input.size() != 4 || filter.size() != 4 || !context.input(1).is_constant()) return false;
  if (filter[0] != 1 || filter[1] != 1 || filter[2] != input[3]) return false;
  if (context.attrs().get_or<std::string>("data_format", "NHWC") != "NHWC") return false;
  const auto window = ir::window_2d(context.attrs(), input, 1, 1);
  if (!window) return false;
  for (const ir::WindowAxis* axis : {&window->height, &window->width})
    if (axis->stride != 1 || axis->pad_before != 0 || axis->pad_after != 0) return false;
  return num_elements(input) > 0 && num_elements(context.output(0).shape) > 0;
}

}  // namespace

Expected<KernelPtr> make_pointwise_conv(const KernelContext& context, const KernelOptions& options) {
  if (!packed_gemm_supported() || !is_pointwise(context)) return KernelPtr();
  const Shape& input = context.input(0).shape;
  GemmWeights weights;
  weights.depth = input[3];
  weights.channels = context.output(0).shape[3];
  weights.k_stride = weights.channels;
  const int64_t rows = input[0] * input[1] * input[2];
  const double multiply_adds = static_cast<double>(rows) * weights.depth * weights.channels;
  const int threads = onednn::primitive_threads(multiply_adds, options.threads, onednn::kMinParallelConvWork);
  return make_packed_gemm(context, "conv2d_f32_pointwise", rows, weights, threads);
}

}  // namespace leanrt::kernels::fast
