// The pieces `leanrt profile` is built from: the per-step timing hook (no
// allocation, same outputs as run()), the planned-tensor table against the
// plan, live bytes against the lower bound, the weights-copy strategy, the
// profiler's report and its error messages, and the flag parsers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "leanrt/import/load_model.h"
#include "leanrt/profile/peak_model.h"
#include "leanrt/profile/profiler.h"
#include "leanrt/profile/svg_plot.h"
#include "leanrt/profile/sweep.h"
#include "leanrt/runtime/compiled_model.h"
#include "support/allocation_counter.h"
#include "support/corpus.h"


namespace leanrt::testing {
namespace {

std::string model_path(const std::string& name) { return *corpus_dir() + "/models/" + name + "/" + name + ".json"; }

// A corpus model compiled at batch `batch` with random inputs bound.
struct Compiled {
  std::unique_ptr<runtime::CompiledModel> model;
  std::vector<std::vector<float>> inputs;
};

Compiled compile(const std::string& name, int64_t batch, runtime::CompileOptions options = {}) {
  auto graph = importer::load_model(model_path(name), {});
  EXPECT_TRUE(graph.has_value()) << graph.status().message();
  options.default_dim = batch;
  auto model = runtime::CompiledModel::compile(std::move(*graph), options);
  EXPECT_TRUE(model.has_value()) << model.status().message();
  Compiled compiled{std::move(*model), {}};
  for (size_t i = 0; i < compiled.model->inputs().size(); ++i) {
    const auto& input = compiled.model->inputs()[i];
    auto& values = compiled.inputs.emplace_back(static_cast<size_t>(num_elements(input.shape)));
    for (size_t k = 0; k < values.size(); ++k) values[k] = static_cast<float>((k * 7919) % 1000) / 1000.0f;
    compiled.model->set_input(static_cast<int>(i), values.data());
  }
  return compiled;
}

std::vector<float> output_values(const runtime::CompiledModel& model) {
  const auto& view = model.output(0);
  return std::vector<float>(view.as<float>(), view.as<float>() + view.elements());
}

TEST(RunTimed, TimesEveryStepAllocatesNothingAndComputesWhatRunDoes) {
  if (!corpus_dir()) GTEST_SKIP() << "corpus not found";
  Compiled compiled = compile("emotion", 2);
  runtime::CompiledModel& model = *compiled.model;
  ASSERT_TRUE(model.run().is_ok());
  const std::vector<float> expected = output_values(model);
  std::vector<double> step_seconds(model.steps().size(), -1.0);
  ASSERT_TRUE(model.run_timed(step_seconds).is_ok());  // the first timed run may warm up
  const long before = allocation_count();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(model.run_timed(step_seconds).is_ok());
  EXPECT_EQ(allocation_count() - before, 0) << "run_timed allocated";
  for (double seconds : step_seconds) EXPECT_GE(seconds, 0.0);
  EXPECT_EQ(output_values(model), expected);

  std::vector<double> too_short(model.steps().size() - 1);
  const Status status = model.run_timed(too_short);
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find(fmt::format("expected room for {} step times, found {}", model.steps().size(),
                                              too_short.size())),
            std::string::npos)
      << status.message();
}

TEST(PlannedTensors, MatchThePlanAndLiveBytesPeakAtTheLowerBound) {
  if (!corpus_dir()) GTEST_SKIP() << "corpus not found";
  for (const char* name : {"blazeface", "selfie", "age"}) {
    Compiled compiled = compile(name, 1);
    const runtime::CompiledModel& model = *compiled.model;
    const auto& tensors = model.planned_tensors();
    const plan::Plan& plan = model.memory_plan();
    ASSERT_EQ(tensors.size(), plan.offsets.size()) << name;
    for (size_t t = 0; t < tensors.size(); ++t) {
      const plan::Buffer& buffer = plan.buffers[plan.buffer_of[t]];
      EXPECT_LE(buffer.first_step, tensors[t].first_step) << name << " " << tensors[t].name;
      EXPECT_GE(buffer.last_step, tensors[t].last_step) << name << " " << tensors[t].name;
      EXPECT_LE(plan.offsets[t] + tensors[t].size_bytes, plan.arena_bytes) << name << " " << tensors[t].name;
      EXPECT_FALSE(tensors[t].name.empty());
    }
    const std::vector<size_t> live = profile::live_bytes_per_step(model);
    ASSERT_EQ(live.size(), model.steps().size());
    EXPECT_EQ(*std::max_element(live.begin(), live.end()), model.arena_bytes_lower_bound()) << name;
  }
}

TEST(CopyWeights, MovesMappedWeightsToOwnedMemoryWithTheSameOutputs) {
  if (!corpus_dir()) GTEST_SKIP() << "corpus not found";
  // The reference kernels read weights in place from the mapped shard.
  runtime::CompileOptions mapped;
  mapped.kernels.choice = kernels::KernelChoice::kReference;
  runtime::CompileOptions copied = mapped;
  copied.map_weights = false;
  Compiled in_place = compile("age", 1, mapped);
  Compiled copies = compile("age", 1, copied);
  ASSERT_GT(in_place.model->weights_mapped_bytes(), 0u);
  EXPECT_EQ(copies.model->weights_mapped_bytes(), 0u);
  EXPECT_EQ(copies.model->weights_bytes(), in_place.model->weights_bytes());
  ASSERT_TRUE(in_place.model->run().is_ok());
  ASSERT_TRUE(copies.model->run().is_ok());
  EXPECT_EQ(output_values(*copies.model), output_values(*in_place.model));
}

TEST(Profiler, ReportsStepsPeakAndPrediction) {
  if (!corpus_dir()) GTEST_SKIP() << "corpus not found";
  profile::ProfileRequest request;
  request.model = model_path("emotion");
  request.batch = 4;
  request.runs = 2;
  auto report = profile::profile_model(request);
  ASSERT_TRUE(report.has_value()) << report.status().message();
  EXPECT_EQ(report->batching, "batched");
  EXPECT_EQ(report->inputs[0].shape[0], 4);
  ASSERT_FALSE(report->steps.empty());
  ASSERT_GE(report->peak_step, 0);
  EXPECT_EQ(report->steps[report->peak_step].live_bytes, report->arena_bytes_lower_bound);
  size_t live_at_peak = 0;
  for (const auto& tensor : report->live_at_peak) live_at_peak += tensor.size_bytes;
  EXPECT_GT(live_at_peak, 0u);
  EXPECT_GT(report->predicted.predicted_peak_bytes, report->arena_bytes);
  EXPECT_GT(report->measured_peak_bytes, 0u);
  EXPECT_EQ(report->predicted.io_bytes, 4u * 64 * 64 * 1 * sizeof(float));
  EXPECT_EQ(profile::slowest_steps(*report, 3).size(), 3u);
  // Each stage's phase peak is at least the RSS it ended with, and the
  // largest is the process's peak (VmHWM is reset between stages).
  if (report->phase_peaks_known) {
    size_t largest_phase_peak = 0;
    for (const profile::MemoryStage& stage : report->stages) {
      EXPECT_GE(stage.phase_peak_bytes + 64 * 1024, stage.memory.status.rss_bytes) << stage.name;
      largest_phase_peak = std::max(largest_phase_peak, stage.phase_peak_bytes);
    }
    EXPECT_EQ(largest_phase_peak, report->measured_peak_bytes);
  }
  const auto json = profile::profile_json(*report);
  for (const char* key : {"steps", "arena_map", "live_at_peak", "predicted", "measured_peak_bytes", "memory_stages"})
    EXPECT_TRUE(json.contains(key)) << key;
  EXPECT_NE(profile::profile_text(*report).find("predicted peak"), std::string::npos);
}

TEST(Profiler, FixedLeadingDimRunsOneSampleAtATime) {
  if (!corpus_dir()) GTEST_SKIP() << "corpus not found";
  profile::ProfileRequest request;
  request.model = model_path("blazeface-front");  // input [1, 128, 128, 3]
  request.batch = 3;
  request.runs = 1;
  auto report = profile::profile_model(request);
  ASSERT_TRUE(report.has_value()) << report.status().message();
  EXPECT_EQ(report->batching, "one at a time");
  EXPECT_EQ(report->calls_per_run, 3);
  EXPECT_EQ(report->inputs[0].shape[0], 1);
}

TEST(Profiler, ErrorsNameWhatIsWrong) {
  if (!corpus_dir()) GTEST_SKIP() << "corpus not found";
  profile::ProfileRequest request;
  request.model = model_path("emotion");
  request.batch = 0;
  auto report = profile::profile_model(request);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.status().message(), "--batch 0: expected a batch size >= 1");

  request.batch = 1;
  request.inputs = {{"no_such_input", "1,64,64,1"}};
  report = profile::profile_model(request);
  ASSERT_FALSE(report.has_value());
  EXPECT_NE(report.status().message().find("unknown input \"no_such_input\": the model's inputs are input_1"),
            std::string::npos)
      << report.status().message();

  request.inputs = {{"input_1", "/no/such/file.npy"}};
  report = profile::profile_model(request);
  ASSERT_FALSE(report.has_value());
  EXPECT_NE(report.status().message().find("/no/such/file.npy"), std::string::npos) << report.status().message();
}

TEST(Flags, BytesAndBatchLists) {
  EXPECT_EQ(*profile::parse_bytes("512M"), 512u << 20);
  EXPECT_EQ(*profile::parse_bytes("1.5G"), static_cast<size_t>(1.5 * (1u << 30)));
  EXPECT_EQ(*profile::parse_bytes("4096"), 4096u);
  EXPECT_EQ(*profile::parse_bytes("64KiB"), 64u << 10);
  auto bad = profile::parse_bytes("lots");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.status().message(), "--memory-limit \"lots\": expected bytes, optionally with K, M or G (e.g. 512M, 1.5G)");
  EXPECT_EQ(*profile::parse_batches("1,2,4"), (std::vector<int64_t>{1, 2, 4}));
  auto zero = profile::parse_batches("1,0");
  ASSERT_FALSE(zero.has_value());
  EXPECT_EQ(zero.status().message(), "--sweep \"1,0\": expected batch sizes >= 1 separated by commas, found \"0\"");
}

TEST(Flags, MarksTheFastestBatchThatFits) {
  std::vector<profile::SweepRow> rows(3);
  const double throughput[] = {10, 30, 50};
  const size_t peaks[] = {100, 200, 400};
  for (int i = 0; i < 3; ++i) {
    rows[i].measured.config.batch = 1 << i;
    rows[i].measured.samples_per_second = throughput[i];
    rows[i].measured.measured_peak_bytes = peaks[i];
  }
  profile::mark_fastest_fitting(rows, 300);
  EXPECT_TRUE(rows[0].fits && rows[1].fits && !rows[2].fits);
  EXPECT_TRUE(rows[1].fastest);
  EXPECT_FALSE(rows[0].fastest || rows[2].fastest);
}

TEST(Html, EscapesNames) {
  EXPECT_EQ(profile::html_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
}

}  // namespace
}  // namespace leanrt::testing
