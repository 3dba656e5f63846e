// kernels::ThreadCeiling(1), what the thread governor runs a model under
// when cores are contended: every OpenMP region then gets one thread, also
// the ones that name their thread count (oneDNN's primitives ask for the
// count they were made with), and oneDNN's kernels made for two threads
// compute the same on one.
#include <gtest/gtest.h>
#include <omp.h>

#include "kernels/fast_vs_reference.h"

namespace leanrt::testing {
namespace {

int team_size_asking_for(int threads) {
  int team = 0;
#pragma omp parallel num_threads(threads)
  {
#pragma omp single
    team = omp_get_num_threads();
  }
  return team;
}

TEST(ThreadCeiling, OneThreadEvenForRegionsThatNameTheirCount) {
  if (omp_get_num_procs() < 2) GTEST_SKIP() << "one core";
  EXPECT_EQ(team_size_asking_for(2), 2);
  {
    const kernels::ThreadCeiling one(1);
    EXPECT_EQ(team_size_asking_for(2), 1);
    EXPECT_EQ(omp_get_max_threads(), 1);
  }
  EXPECT_EQ(team_size_asking_for(2), 2);  // restored
  {
    const kernels::ThreadCeiling none(0);
    EXPECT_EQ(team_size_asking_for(2), 2);
  }
}

// Output 0 of the model's last run.
std::vector<float> output_of(const runtime::CompiledModel& model) {
  const auto& view = model.output(0);
  return std::vector<float>(view.as<const float>(), view.as<const float>() + view.elements());
}

TEST(ThreadCeiling, OneDnnKernelsMadeForTwoThreadsRunOnOne) {
  GraphCase g(7);
  ir::ValueId x = g.input("x", {2, 24, 24, 32});
  ir::ValueId y = g.node("conv", "Conv2D", {x, g.constant("w", {3, 3, 32, 48})}, window_attrs(1, 1, "SAME"), false);
  y = g.node("pool", "MaxPool", {y}, [] {
    ir::AttrMap attrs = window_attrs(2, 1, "VALID");
    attrs.set("ksize", std::vector<int64_t>{1, 2, 2, 1});
    return attrs;
  }(), false);
  y = g.node("flat", "Reshape", {y, g.int_constant("shape", {2, 12 * 12 * 48})}, {}, false);
  g.node("dense", "MatMul", {y, g.constant("w2", {12 * 12 * 48, 40})});
  runtime::CompileOptions options;
  options.kernels.threads = 2;
  options.adapt_threads = false;
  auto model = g.compile_and_run(options);
  ASSERT_TRUE(model.has_value()) << model.status().message();
  bool onednn = false;
  for (const auto& step : (*model)->steps()) onednn |= step.kernel.ends_with("_onednn");
  ASSERT_TRUE(onednn) << "no oneDNN kernel to check";
  const std::vector<float> two_threads = output_of(**model);
  {
    const kernels::ThreadCeiling one(1);
    ASSERT_TRUE((*model)->run().is_ok());
  }
  const std::vector<float> one_thread = output_of(**model);
  ASSERT_EQ(one_thread.size(), two_threads.size());
  for (size_t i = 0; i < one_thread.size(); ++i)
    ASSERT_NEAR(one_thread[i], two_threads[i], 1e-5 * (1.0 + std::fabs(two_threads[i]))) << "element " << i;
}

}  // namespace
}  // namespace leanrt::testing
