#include "leanrt/kernels/kernel.h"

#include "leanrt/ir/op_table.h"

namespace leanrt::kernels {
namespace {

using Factory = Expected<KernelPtr> (*)(const KernelContext&);

constexpr Factory kReferenceFactories[] = {
#define LEANRT_FAMILY(family) &ref::make_##family,
#include "leanrt/ir/op_families.inc"
#undef LEANRT_FAMILY
};

}  // namespace

std::string KernelContext::where() const {
  return fmt::format("{}: node \"{}\" ({})", graph_.source, node_.name, node_.op);
}

Expected<std::vector<int64_t>> KernelContext::const_ints(int index) const {
  ir::InferContext infer(graph_, node_);
  return infer.const_ints(index);
}

Expected<KernelPtr> make_kernel(const KernelContext& context, const KernelOptions& options) {
  if (options.choice == KernelChoice::kAuto) {
    LEANRT_ASSIGN_OR_RETURN(KernelPtr fast, make_fast_kernel(context, options));
    if (fast) return fast;
  }
  return make_reference_kernel(context);
}

Expected<KernelPtr> make_reference_kernel(const KernelContext& context) {
  const ir::OpInfo* op = ir::find_op(context.node().op);
  if (op == nullptr)
    return ::leanrt::unsupported("{}: op {} is not supported by leanrt yet", context.where(), context.node().op);
  return kReferenceFactories[static_cast<int>(op->family)](context);
}

}  // namespace leanrt::kernels
