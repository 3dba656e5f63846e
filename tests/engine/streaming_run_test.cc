// The streaming run loop through the library: batching gives the outputs of
// one sample at a time, one plan per input shape, converted and archived
// inputs equal their float32 .npy, a stop leaves valid partial outputs that a
// resume completes byte for byte, and RSS stays flat over 10,000 batches.
#include <gtest/gtest.h>

#include <cstring>

#include <png.h>

#include "data/dataset_files.h"
#include "leanrt/base/process_memory.h"
#include "leanrt/data/image.h"
#include "leanrt/data/npy.h"
#include "leanrt/data/run_state.h"
#include "leanrt/engine/engine.h"
#include "leanrt/runtime/compiled_model.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

const std::string kAddTwo = source_path("tests/data/add_two.json");  // y = (a + b) * 2, inputs [-1, 3]

class StreamingRun : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = scratch_dir("streaming"); }
  void TearDown() override { fs::remove_all(dir_); }

  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  // An add_two request over `a.npy` and `b.npy` of `samples` rows.
  engine::RunRequest add_two_request(int64_t samples, int64_t batch, const std::string& out) {
    const std::vector<float> a = pattern(samples * 3, 1), b = pattern(samples * 3, 2);
    EXPECT_TRUE(data::write_npy(file("a.npy"), DType::kF32, {samples, 3}, a.data()).is_ok());
    EXPECT_TRUE(data::write_npy(file("b.npy"), DType::kF32, {samples, 3}, b.data()).is_ok());
    engine::RunRequest request;
    request.model = kAddTwo;
    request.inputs = {{"a", file("a.npy")}, {"b", file("b.npy")}};
    request.output_dir = file(out);
    request.batch = batch;
    return request;
  }

  fs::path dir_;
};

// Runs `model` on each sample alone through a plan compiled at batch 1: the
// oracle a batched run must reproduce.
std::vector<float> one_sample_at_a_time(const std::string& model, const std::vector<data::NpyArray>& inputs) {
  auto graph = importer::load_model(model, {});
  EXPECT_TRUE(graph.has_value()) << graph.status().message();
  runtime::CompileOptions options;  // unknown dims bind to 1
  auto compiled = runtime::CompiledModel::compile(*graph, options);
  EXPECT_TRUE(compiled.has_value()) << compiled.status().message();
  std::vector<float> outputs;
  const int64_t samples = inputs[0].shape[0];
  for (int64_t s = 0; s < samples; ++s) {
    for (size_t i = 0; i < inputs.size(); ++i)
      (*compiled)->set_input(static_cast<int>(i), inputs[i].data + s * (inputs[i].data_bytes / samples));
    EXPECT_TRUE((*compiled)->run().is_ok());
    const auto& output = (*compiled)->output(0);
    outputs.insert(outputs.end(), output.as<float>(), output.as<float>() + output.elements());
  }
  return outputs;
}

std::vector<float> floats_of(const std::string& path) {
  auto array = data::read_npy(path);
  EXPECT_TRUE(array.has_value()) << array.status().message();
  if (!array) return {};
  const float* values = reinterpret_cast<const float*>(array->data);
  return std::vector<float>(values, values + array->data_bytes / sizeof(float));
}

TEST_F(StreamingRun, BatchesGiveTheOutputsOfOneSampleAtATime) {
  const int64_t samples = 23;
  engine::RunRequest request = add_two_request(samples, 1, "out");
  auto a = data::read_npy(file("a.npy")), b = data::read_npy(file("b.npy"));
  const std::vector<float> oracle = one_sample_at_a_time(kAddTwo, {*a, *b});
  for (int64_t batch : {1, 2, 5, 8, 23, 64}) {
    request.batch = batch;
    request.output_dir = file("out-" + std::to_string(batch));
    auto summary = engine::run_model(request);
    ASSERT_TRUE(summary.has_value()) << summary.status().message();
    EXPECT_EQ(summary->samples, samples);
    EXPECT_EQ(summary->batches, (samples + std::min(batch, samples) - 1) / std::min(batch, samples));
    EXPECT_EQ(floats_of(request.output_dir + "/y.npy"), oracle) << "batch " << batch;
  }
}

TEST_F(StreamingRun, ACorpusModelBatchedEqualsOneSampleAtATime) {
  auto corpus = corpus_dir();
  if (!corpus) GTEST_SKIP() << "corpus not found";
  const std::string model = *corpus + "/models/liveness/liveness.json";
  const int64_t samples = 37;
  const std::vector<float> pixels = pattern(samples * 32 * 32 * 3);
  ASSERT_TRUE(data::write_npy(file("x.npy"), DType::kF32, {samples, 32, 32, 3}, pixels.data()).is_ok());
  auto x = data::read_npy(file("x.npy"));
  const std::vector<float> oracle = one_sample_at_a_time(model, {*x});
  for (int64_t batch : {1, 4, 16, 37}) {
    engine::RunRequest request;
    request.model = model;
    request.inputs = {{"", file("x.npy")}};
    request.output_dir = file("out-" + std::to_string(batch));
    request.batch = batch;
    auto summary = engine::run_model(request);
    ASSERT_TRUE(summary.has_value()) << summary.status().message();
    // Bit for bit today: every kernel sums a sample's values in the same
    // order whatever the batch. A kernel whose accumulation order came to
    // depend on the batch would show up here first.
    EXPECT_EQ(floats_of(request.output_dir + "/Identity.npy"), oracle) << "batch " << batch;
  }
}

TEST_F(StreamingRun, OnePlanPerInputShapeMet) {
  for (auto [samples, batch, plans] : {std::tuple<int64_t, int64_t, int>{23, 8, 2}, {24, 8, 1}, {5, 8, 1}, {23, 1, 1}}) {
    engine::RunRequest request = add_two_request(samples, batch, "out-" + std::to_string(samples) + "-" + std::to_string(batch));
    auto summary = engine::run_model(request);
    ASSERT_TRUE(summary.has_value()) << summary.status().message();
    EXPECT_EQ(summary->plans_compiled, plans) << samples << " samples, batch " << batch;
  }
}

TEST_F(StreamingRun, ConvertedAndArchivedInputsEqualFloat32Npy) {
  const int64_t samples = 11;
  engine::RunRequest request = add_two_request(samples, 4, "f32");
  // Integer-valued floats so that every dtype holds them exactly.
  std::vector<float> a(samples * 3), b(samples * 3);
  std::vector<double> a64(a.size());
  std::vector<uint8_t> b8(b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<float>(i % 200);
    b[i] = static_cast<float>((i * 7) % 256);
    a64[i] = a[i];
    b8[i] = static_cast<uint8_t>(b[i]);
  }
  ASSERT_TRUE(data::write_npy(file("a.npy"), DType::kF32, {samples, 3}, a.data()).is_ok());
  ASSERT_TRUE(data::write_npy(file("b.npy"), DType::kF32, {samples, 3}, b.data()).is_ok());
  ASSERT_TRUE(data::write_npy(file("a64.npy"), DType::kF64, {samples, 3}, a64.data()).is_ok());
  ASSERT_TRUE(data::write_npy(file("b8.npy"), DType::kU8, {samples, 3}, b8.data()).is_ok());
  ASSERT_TRUE(engine::run_model(request).has_value());
  const std::string want = read_bytes(dir_ / "f32" / "y.npy");

  request.inputs = {{"a", file("a64.npy")}, {"b", file("b8.npy")}};
  request.output_dir = file("converted");
  auto converted = engine::run_model(request);
  ASSERT_TRUE(converted.has_value()) << converted.status().message();
  EXPECT_EQ(read_bytes(dir_ / "converted" / "y.npy"), want);

  if (!numpy_available()) GTEST_SKIP() << "python3-numpy not installed: .npz inputs not tested";
  ASSERT_TRUE(run_numpy_script(dir_, R"(
a = np.load('a.npy'); b = np.load('b.npy')
np.savez('stored.npz', a=a, b=b)
np.savez_compressed('deflated.npz', a=a.astype(np.float64), b=b)
)"));
  for (const char* archive : {"stored.npz", "deflated.npz"}) {
    request.inputs = {{"", file(archive)}};  // a bare .npz feeds every input it has an array for
    request.output_dir = file(std::string("out-") + archive);
    auto summary = engine::run_model(request);
    ASSERT_TRUE(summary.has_value()) << archive << ": " << summary.status().message();
    EXPECT_EQ(read_bytes(fs::path(request.output_dir) / "y.npy"), want) << archive;
  }
}

TEST_F(StreamingRun, AStopLeavesValidPartialsAndResumeCompletesByteForByte) {
  engine::RunRequest request = add_two_request(103, 10, "whole");
  ASSERT_TRUE(engine::run_model(request).has_value());
  const std::string want = read_bytes(dir_ / "whole" / "y.npy");

  std::atomic<bool> stop{false};
  request.output_dir = file("stopped");
  request.stop_requested = &stop;
  request.on_batch = [&stop](const engine::RunProgress& progress) {
    if (progress.batches_done == 3) stop = true;
  };
  auto stopped = engine::run_model(request);
  ASSERT_TRUE(stopped.has_value()) << stopped.status().message();
  EXPECT_TRUE(stopped->stopped);
  EXPECT_EQ(stopped->samples_written, 30);
  EXPECT_FALSE(fs::exists(dir_ / "stopped" / "y.npy"));
  auto partial = data::read_npy(file("stopped/y.npy.partial"));
  ASSERT_TRUE(partial.has_value()) << partial.status().message();
  EXPECT_EQ(partial->shape, (Shape{30, 3}));

  stop = false;
  request.on_batch = nullptr;
  request.resume = true;
  auto resumed = engine::run_model(request);
  ASSERT_TRUE(resumed.has_value()) << resumed.status().message();
  EXPECT_FALSE(resumed->stopped);
  EXPECT_EQ(resumed->samples_resumed, 30);
  EXPECT_EQ(resumed->samples_written, 73);
  EXPECT_EQ(read_bytes(dir_ / "stopped" / "y.npy"), want);
  EXPECT_FALSE(fs::exists(dir_ / "stopped" / "y.npy.partial"));
  EXPECT_FALSE(fs::exists(data::run_state_path(file("stopped"))));
}

TEST_F(StreamingRun, ResumeRefusesTheFilesOfADifferentRun) {
  engine::RunRequest request = add_two_request(50, 5, "out");
  std::atomic<bool> stop{true};
  request.stop_requested = &stop;
  ASSERT_TRUE(engine::run_model(request).has_value());
  request.stop_requested = nullptr;
  request.resume = true;
  request.batch = 7;  // changes the bytes a batch writes: not the same run
  auto refused = engine::run_model(request);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.status().message().find("from a different run"), std::string::npos)
      << refused.status().message();
}

// RSS must not creep with the number of batches: nothing may be kept per
// batch (no output accumulation, no unreleased input pages, no heap growth).
TEST_F(StreamingRun, RssIsFlatFromBatch10ToBatch10000) {
  const int64_t samples = 10000;
  engine::RunRequest request = add_two_request(samples, 1, "out");
  size_t rss_at_10 = 0, rss_at_10000 = 0;
  request.on_batch = [&](const engine::RunProgress& progress) {
    if (progress.batches_done == 10) rss_at_10 = read_process_memory().rss_bytes;
    if (progress.batches_done == 10000) rss_at_10000 = read_process_memory().rss_bytes;
  };
  auto summary = engine::run_model(request);
  ASSERT_TRUE(summary.has_value()) << summary.status().message();
  ASSERT_EQ(summary->batches, 10000);
  const double growth_kib = (static_cast<double>(rss_at_10000) - static_cast<double>(rss_at_10)) / 1024.0;
  std::printf("RSS after batch 10: %.1f KiB, after batch 10000: %.1f KiB, growth %.1f KiB\n", rss_at_10 / 1024.0,
              rss_at_10000 / 1024.0, growth_kib);
  EXPECT_LT(std::abs(growth_kib), 1024.0);
}

// An image directory gives the outputs of the same pixels decoded, resized
// and normalised by hand and passed as an .npy: the image path is only a
// front end to the same batches.
// The same over the copying paths: a float64 input converted batch by batch,
// and a compressed .npz inflated batch by batch.
TEST_F(StreamingRun, RssIsFlatWhenInputsAreConvertedOrInflated) {
  const int64_t samples = 10000;
  engine::RunRequest request = add_two_request(samples, 1, "out");
  std::vector<double> wide(samples * 3);
  for (size_t i = 0; i < wide.size(); ++i) wide[i] = static_cast<double>(i % 1000) / 7;
  ASSERT_TRUE(data::write_npy(file("a64.npy"), DType::kF64, {samples, 3}, wide.data()).is_ok());
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> cases = {
      {"float64", {{"a", file("a64.npy")}, {"b", file("b.npy")}}}};
  if (numpy_available() && run_numpy_script(dir_, "np.savez_compressed('ab.npz', a=np.load('a.npy'), b=np.load('b.npy'))\n"))
    cases.push_back({"deflated npz", {{"", file("ab.npz")}}});
  for (const auto& [label, inputs] : cases) {
    request.inputs = inputs;
    request.output_dir = file("out-" + std::to_string(inputs.size()));
    size_t rss_at_10 = 0, rss_at_10000 = 0;
    request.on_batch = [&](const engine::RunProgress& progress) {
      if (progress.batches_done == 10) rss_at_10 = read_process_memory().rss_bytes;
      if (progress.batches_done == 10000) rss_at_10000 = read_process_memory().rss_bytes;
    };
    auto summary = engine::run_model(request);
    ASSERT_TRUE(summary.has_value()) << label << ": " << summary.status().message();
    const double growth_kib = (static_cast<double>(rss_at_10000) - static_cast<double>(rss_at_10)) / 1024.0;
    std::printf("%s: RSS after batch 10: %.1f KiB, after batch 10000: %.1f KiB\n", label.c_str(), rss_at_10 / 1024.0,
                rss_at_10000 / 1024.0);
    EXPECT_LT(std::abs(growth_kib), 1024.0) << label;
  }
}

TEST_F(StreamingRun, ImagesEqualTheirPixelsPassedAsAnArray) {
  const std::string model = source_path("examples/emotion/emotion.json");  // input_1 [-1, 64, 64, 1]
  fs::create_directories(dir_ / "faces");
  const int64_t images = 5;
  data::ImageDecoder decoder;
  std::vector<float> expected;
  for (int64_t i = 0; i < images; ++i) {
    const int size = 40 + 13 * static_cast<int>(i);  // smaller and larger than 64: both resize directions
    std::vector<uint8_t> pixels(static_cast<size_t>(size * size * 3));
    for (size_t p = 0; p < pixels.size(); ++p) pixels[p] = static_cast<uint8_t>((p * 31 + i * 17) % 251);
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = image.height = static_cast<png_uint_32>(size);
    image.format = PNG_FORMAT_RGB;
    const std::string path = file("faces/" + std::to_string(i) + ".png");
    ASSERT_TRUE(png_image_write_to_file(&image, path.c_str(), 0, pixels.data(), 0, nullptr));
    auto decoded = decoder.decode(path, 1);
    ASSERT_TRUE(decoded.has_value()) << decoded.status().message();
    std::vector<float> resized(64 * 64);
    data::resize_bilinear(**decoded, 64, 64, resized.data());
    for (float& value : resized) value = (value - 0.0f) * (1 / 255.0f);
    expected.insert(expected.end(), resized.begin(), resized.end());
  }
  ASSERT_TRUE(data::write_npy(file("faces.npy"), DType::kF32, {images, 64, 64, 1}, expected.data()).is_ok());

  engine::RunRequest request;
  request.model = model;
  request.batch = 2;
  request.inputs = {{"", file("faces.npy")}};
  request.output_dir = file("from-array");
  ASSERT_TRUE(engine::run_model(request).has_value());
  request.inputs = {{"", file("faces")}};
  request.image_scale = {1 / 255.0f};
  request.output_dir = file("from-images");
  auto summary = engine::run_model(request);
  ASSERT_TRUE(summary.has_value()) << summary.status().message();
  EXPECT_EQ(read_bytes(dir_ / "from-images" / "Identity.npy"), read_bytes(dir_ / "from-array" / "Identity.npy"));

  request.format = data::OutputFormat::kCsv;
  request.top_k = 2;
  request.output_dir = file("table");
  ASSERT_TRUE(engine::run_model(request).has_value());
  const std::string csv = read_bytes(dir_ / "table" / "predictions.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), images + 1);
  EXPECT_EQ(csv.rfind("index,path,Identity_top1_class,Identity_top1_score,Identity_top2_class,Identity_top2_score\n", 0), 0u)
      << csv;
  EXPECT_NE(csv.find("\n4," + file("faces/4.png") + ","), std::string::npos) << csv;
}

// An input without a sample axis (a scalar) cannot be batched: the model runs
// once over the arrays as given, as before streaming.
TEST_F(StreamingRun, InputsWithoutASampleAxisRunAsOneWholeBatch) {
  const std::vector<float> x = pattern(5 * 3);
  const float scale = 3.0f;
  ASSERT_TRUE(data::write_npy(file("x.npy"), DType::kF32, {5, 3}, x.data()).is_ok());
  ASSERT_TRUE(data::write_npy(file("s.npy"), DType::kF32, {}, &scale).is_ok());
  engine::RunRequest request;
  request.model = source_path("tests/data/scale_by_scalar.json");
  request.inputs = {{"x", file("x.npy")}, {"s", file("s.npy")}};
  request.output_dir = file("out");
  request.batch = 2;
  auto summary = engine::run_model(request);
  ASSERT_TRUE(summary.has_value()) << summary.status().message();
  EXPECT_EQ(summary->batches, 1);
  const std::vector<float> y = floats_of(file("out/y.npy"));
  ASSERT_EQ(y.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], x[i] * scale);
}

TEST_F(StreamingRun, ProgressLineFitsItsWidth) {
  engine::RunProgress progress{2500, 10000, 25, 0, 5.0};
  const std::string line = engine::progress_line(progress, 42u << 20, 100);
  EXPECT_LE(line.size(), 100u);
  EXPECT_NE(line.find("2500/10000 samples"), std::string::npos) << line;
  EXPECT_NE(line.find("500/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:15"), std::string::npos) << line;
  EXPECT_NE(line.find("RSS 42.0 MiB"), std::string::npos) << line;
  EXPECT_LE(engine::progress_line(progress, 0, 40).size(), 40u);
}

}  // namespace
}  // namespace leanrt::testing
