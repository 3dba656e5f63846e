// Streamed outputs: npy files that equal a whole-array write, partial files
// that are valid arrays, resumption that cuts back a batch cut short, csv and
// jsonl rows (with top-k), and the resume state file.
#include <gtest/gtest.h>

#include <cmath>

#include "data/dataset_files.h"
#include "leanrt/data/npy.h"
#include "leanrt/data/prediction_writer.h"
#include "leanrt/data/run_state.h"

namespace leanrt::testing {
namespace {

class Writers : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = scratch_dir("writers"); }
  void TearDown() override { fs::remove_all(dir_); }

  // Rows [first, first + rows) of a [10, 3] float array 0, 1, 2, ...
  static std::vector<float> rows_of(int64_t first, int64_t rows) {
    std::vector<float> values(static_cast<size_t>(rows * 3));
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(first * 3 + static_cast<int64_t>(i));
    return values;
  }

  Status append(data::PredictionWriter& writer, int64_t first, int64_t rows) {
    const std::vector<float> values = rows_of(first, rows);
    return writer.append({values.data()}, first, rows);
  }

  std::string out() const { return dir_.string(); }
  fs::path dir_;
  const std::vector<data::OutputSpec> outputs_ = {{"model/probs:0", DType::kF32, {3}, true}};
};

TEST_F(Writers, StreamedNpyEqualsTheWholeArrayAndAppearsOnlyWhenComplete) {
  auto writer = data::open_npy_writer(out(), outputs_, std::nullopt);
  ASSERT_TRUE(writer.has_value()) << writer.status().message();
  const fs::path final_path = dir_ / "model_probs_0.npy";
  for (auto [first, rows] : {std::pair<int64_t, int64_t>{0, 4}, {4, 4}, {8, 2}}) {
    ASSERT_TRUE(append(**writer, first, rows).is_ok());
    EXPECT_FALSE(fs::exists(final_path));
  }
  ASSERT_TRUE((*writer)->finish().is_ok());
  EXPECT_FALSE(fs::exists(data::partial_path_of(final_path.string())));
  auto array = data::read_npy(final_path.string());
  ASSERT_TRUE(array.has_value()) << array.status().message();
  EXPECT_EQ(array->shape, (Shape{10, 3}));
  EXPECT_EQ(std::memcmp(array->data, rows_of(0, 10).data(), 30 * sizeof(float)), 0);
  EXPECT_EQ(array->data_offset % 64, 0u);  // rows stay aligned for readers that map the file
}

TEST_F(Writers, PartialFilesAreValidArraysAfterWriteHeaders) {
  auto writer = data::open_npy_writer(out(), outputs_, std::nullopt);
  ASSERT_TRUE(writer.has_value());
  ASSERT_TRUE(append(**writer, 0, 4).is_ok());
  ASSERT_TRUE(append(**writer, 4, 4).is_ok());
  ASSERT_TRUE((*writer)->write_headers().is_ok());
  auto partial = data::read_npy(data::partial_path_of((dir_ / "model_probs_0.npy").string()));
  ASSERT_TRUE(partial.has_value()) << partial.status().message();
  EXPECT_EQ(partial->shape, (Shape{8, 3}));
}

TEST_F(Writers, ResumeCutsBackABatchCutShortAndEndsByteIdentical) {
  // The uninterrupted run.
  fs::create_directories(dir_ / "whole");
  auto whole = data::open_npy_writer((dir_ / "whole").string(), outputs_, std::nullopt);
  ASSERT_TRUE(whole.has_value());
  for (int64_t first : {0, 4, 8}) ASSERT_TRUE(append(**whole, first, std::min<int64_t>(4, 10 - first)).is_ok());
  ASSERT_TRUE((*whole)->finish().is_ok());

  // Two batches committed, a third written when the process died.
  data::ResumePoint committed;
  {
    auto writer = data::open_npy_writer(out(), outputs_, std::nullopt);
    ASSERT_TRUE(writer.has_value());
    ASSERT_TRUE(append(**writer, 0, 4).is_ok());
    ASSERT_TRUE(append(**writer, 4, 4).is_ok());
    committed = {8, (*writer)->partial_files()};
    ASSERT_TRUE(append(**writer, 8, 2).is_ok());
  }
  auto resumed = data::open_npy_writer(out(), outputs_, committed);
  ASSERT_TRUE(resumed.has_value()) << resumed.status().message();
  ASSERT_TRUE(append(**resumed, 8, 2).is_ok());
  ASSERT_TRUE((*resumed)->finish().is_ok());
  EXPECT_EQ(read_bytes(dir_ / "model_probs_0.npy"), read_bytes(dir_ / "whole" / "model_probs_0.npy"));

  // A state claiming more bytes than the file holds is refused.
  data::ResumePoint impossible{8, {{data::partial_path_of((dir_ / "x.npy").string()), 1 << 20}}};
  EXPECT_FALSE(data::open_npy_writer(out(), {{"x", DType::kF32, {3}, true}}, impossible).has_value());
}

TEST_F(Writers, CsvWithTopKAndLabels) {
  const std::vector<data::OutputSpec> scores = {{"probs", DType::kF32, {4}, true}};
  data::TableOptions options;
  options.format = data::OutputFormat::kCsv;
  options.top_k = 2;
  options.sample_label = [](int64_t sample) { return sample == 0 ? std::string("a,b.png") : "c.png"; };
  auto writer = data::open_table_writer(out(), scores, options, std::nullopt);
  ASSERT_TRUE(writer.has_value()) << writer.status().message();
  const std::vector<float> values = {0.1f, 0.6f, 0.2f, 0.1f, 0.25f, 0.25f, 0.5f, 0.0f};
  ASSERT_TRUE((*writer)->append({values.data()}, 0, 2).is_ok());
  ASSERT_TRUE((*writer)->finish().is_ok());
  EXPECT_EQ(read_bytes(dir_ / "predictions.csv"),
            "index,path,probs_top1_class,probs_top1_score,probs_top2_class,probs_top2_score\n"
            "0,\"a,b.png\",1,0.6,2,0.2\n"
            "1,c.png,2,0.5,0,0.25\n");  // ties: the lower class first
}

TEST_F(Writers, JsonlNestsRowsAndWritesNanAsNull) {
  const std::vector<data::OutputSpec> outputs = {{"box\"es", DType::kF32, {2, 2}, true},
                                                 {"count", DType::kI32, {}, true}};
  data::TableOptions options;
  options.format = data::OutputFormat::kJsonl;
  auto writer = data::open_table_writer(out(), outputs, options, std::nullopt);
  ASSERT_TRUE(writer.has_value()) << writer.status().message();
  const std::vector<float> boxes = {1.5f, NAN, 3, 4};
  const std::vector<int32_t> counts = {7};
  ASSERT_TRUE((*writer)->append({boxes.data(), counts.data()}, 5, 1).is_ok());
  ASSERT_TRUE((*writer)->finish().is_ok());
  EXPECT_EQ(read_bytes(dir_ / "predictions.jsonl"),
            "{\"index\": 5, \"box\\\"es\": [[1.5, null], [3, 4]], \"count\": 7}\n");
}

TEST_F(Writers, TopKNeedsFloatScoresWithEnoughClasses) {
  data::TableOptions options{data::OutputFormat::kCsv, 5, nullptr};
  Status too_few = data::check_table_outputs({{"probs", DType::kF32, {4}, true}}, options);
  EXPECT_NE(too_few.message().find("expected at least 5 classes, found 4"), std::string::npos) << too_few.message();
  Status integers = data::check_table_outputs({{"ids", DType::kI32, {8}, true}}, options);
  EXPECT_NE(integers.message().find("expected float scores, found int32"), std::string::npos) << integers.message();
}

TEST_F(Writers, RunStateRoundTripsAndTheDirectoryLockIsExclusive) {
  const data::RunState state{"0123456789abcdef", {96, {{out() + "/a b.npy.partial", 4224}}}};
  const std::string path = data::run_state_path(out());
  ASSERT_TRUE(data::save_run_state(path, state).is_ok());
  auto loaded = data::load_run_state(path);
  ASSERT_TRUE(loaded.has_value() && loaded->has_value()) << loaded.status().message();
  EXPECT_EQ((*loaded)->fingerprint, state.fingerprint);
  EXPECT_EQ((*loaded)->progress.samples, 96);
  ASSERT_EQ((*loaded)->progress.files.size(), 1u);
  EXPECT_EQ((*loaded)->progress.files[0].path, out() + "/a b.npy.partial");
  EXPECT_EQ((*loaded)->progress.files[0].bytes, 4224u);

  write_bytes(path, "something else\n");
  EXPECT_FALSE(data::load_run_state(path).has_value());
  fs::remove(path);
  auto none = data::load_run_state(path);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());

  auto lock = data::lock_output_directory(out());
  ASSERT_TRUE(lock.has_value()) << lock.status().message();
  auto second = data::lock_output_directory(out());
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.status().message().find("another leanrt run"), std::string::npos);
}

}  // namespace
}  // namespace leanrt::testing
