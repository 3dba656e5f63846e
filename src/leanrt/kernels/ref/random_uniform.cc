// Reference kernel of random_uniform (RandomUniform).
#include <algorithm>

#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::ref {

// RandomUniform: [0, 1) from a counter-based generator seeded by the node's
// seed attrs. The stream differs from TF's Philox; graphs use it for
// dropout masks, which inference feeds keep_prob = 1 (the values vanish).
Expected<KernelPtr> make_random_uniform(const KernelContext& context) {
  const int64_t count = num_elements(context.output(0).shape);
  const uint64_t seed = static_cast<uint64_t>(context.attrs().get_or<int64_t>("seed", 0)) * 0x9E3779B97F4A7C15ull +
                        static_cast<uint64_t>(context.attrs().get_or<int64_t>("seed2", 0));
  const bool is_double = context.output(0).dtype == DType::kF64;
  auto state = std::make_shared<uint64_t>(seed);
  return make_kernel(is_double ? "random_uniform_f64_ref" : "random_uniform_f32_ref", [=](const KernelIO& io) {
    for (int64_t i = 0; i < count; ++i) {
      // splitmix64: a new value every call, as a stateful TF op gives.
      uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      const double unit = static_cast<double>(z >> 11) * 0x1.0p-53;
      if (is_double) io.output(0).as<double>()[i] = unit;
      else io.output(0).as<float>()[i] = std::min(static_cast<float>(unit), 0x1.fffffep-1f);
    }
    return Status::ok();
  });
}

}  // namespace leanrt::kernels::ref
