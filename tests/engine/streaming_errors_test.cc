// Every bad input to `leanrt run` gets exit status 2 and one line on stderr
// naming the file and tensor with what was expected and what was found, and
// nothing is left at the output path.
#include <gtest/gtest.h>

#include <cstring>

#include <png.h>

#include "data/dataset_files.h"
#include "leanrt/data/npy.h"
#include "support/cli.h"

namespace leanrt::testing {
namespace {

class StreamingErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir("stream-errors");
    std::vector<float> pixels = pattern(3 * 64 * 64);
    ASSERT_TRUE(data::write_npy(file("x.npy"), DType::kF32, {3, 64, 64, 1}, pixels.data()).is_ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  CliResult run_emotion(const std::string& input, std::vector<std::string> extra = {}) {
    std::vector<std::string> arguments{"run", source_path("examples/emotion/emotion.json"), "--input", input,
                                       "--output-dir", file("out")};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return run_cli(arguments);
  }

  void expect_clean_error(const CliResult& result, const std::vector<std::string>& fragments,
                          const std::string& output = "Identity.npy") {
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    for (const std::string& fragment : fragments)
      EXPECT_NE(result.err.find(fragment), std::string::npos) << "missing \"" << fragment << "\" in: " << result.err;
    EXPECT_FALSE(fs::exists(dir_ / "out" / output));
    EXPECT_FALSE(fs::exists(dir_ / "out" / (output + ".partial")));
  }

  void write_gray_png(const std::string& name, int size) {
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = image.height = static_cast<png_uint_32>(size);
    image.format = PNG_FORMAT_GRAY;
    std::vector<uint8_t> pixels(static_cast<size_t>(size * size), 128);
    ASSERT_TRUE(png_image_write_to_file(&image, file(name).c_str(), 0, pixels.data(), 0, nullptr));
  }

  fs::path dir_;
};

TEST_F(StreamingErrors, DtypeThatDoesNotConvert) {
  std::vector<float> floats(3 * 64 * 64, 0.5f);
  std::vector<uint8_t> mask(floats.size(), 1);
  ASSERT_TRUE(data::write_npy(file("mask.npy"), DType::kBool, {3, 64, 64, 1}, mask.data()).is_ok());
  expect_clean_error(run_emotion("input_1=" + file("mask.npy")),
                     {"mask.npy", "input \"input_1\"", "expected dtype float32, found bool"});
}

TEST_F(StreamingErrors, WrongShapeSaysExpectedAndFound) {
  std::vector<float> pixels(2 * 32 * 32);
  ASSERT_TRUE(data::write_npy(file("small.npy"), DType::kF32, {2, 32, 32, 1}, pixels.data()).is_ok());
  expect_clean_error(run_emotion("input_1=" + file("small.npy")),
                     {"small.npy", "input \"input_1\"", "expected shape [-1, 64, 64, 1], found [2, 32, 32, 1]"});
}

TEST_F(StreamingErrors, TruncatedNpy) {
  const std::string bytes = read_bytes(dir_ / "x.npy");
  write_bytes(dir_ / "cut.npy", bytes.substr(0, bytes.size() - 1000));
  expect_clean_error(run_emotion(file("cut.npy")), {"cut.npy", "truncated .npy", "needs 49152 data bytes"});
}

TEST_F(StreamingErrors, NotAnNpy) {
  write_bytes(dir_ / "text.npy", "hello, I am not an array");
  expect_clean_error(run_emotion(file("text.npy")), {"text.npy", "not an .npy file", "expected the magic"});
}

TEST_F(StreamingErrors, FortranOrder) {
  std::string bytes = read_bytes(dir_ / "x.npy");
  const size_t at = bytes.find("'fortran_order': False");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 22, "'fortran_order': True ");  // same length: the header stays valid
  write_bytes(dir_ / "fortran.npy", bytes);
  expect_clean_error(run_emotion(file("fortran.npy")), {"fortran.npy", "Fortran order", "expected C order"});
}

TEST_F(StreamingErrors, UnknownInputName) {
  expect_clean_error(run_emotion("pixels=" + file("x.npy")),
                     {"emotion.json", "unknown input \"pixels\"", "input_1 [-1, 64, 64, 1] float32"});
}

TEST_F(StreamingErrors, MissingInput) {
  std::vector<float> values(6, 1.0f);
  ASSERT_TRUE(data::write_npy(file("a.npy"), DType::kF32, {2, 3}, values.data()).is_ok());
  expect_clean_error(run_cli({"run", source_path("tests/data/add_two.json"), "--input", "a=" + file("a.npy"),
                              "--output-dir", file("out")}),
                     {"add_two.json", "missing input \"b\" [-1, 3] float32", "--input b="}, "y.npy");
}

TEST_F(StreamingErrors, UnreadableImage) {
  fs::create_directories(dir_ / "faces");
  write_gray_png("faces/a.png", 64);
  write_bytes(dir_ / "faces" / "b.png", "hello, I am not an image");
  expect_clean_error(run_emotion(file("faces")), {"faces/b.png", "cannot decode image", "expected JPEG or PNG data"});
}

TEST_F(StreamingErrors, UnreadableImageMidRunKeepsResumableOutputsOffTheFinalPath) {
  fs::create_directories(dir_ / "faces");
  for (const char* name : {"a.png", "b.png", "c.png"}) write_gray_png(std::string("faces/") + name, 64);
  write_bytes(dir_ / "faces" / "d.png", "hello, I am not an image");
  CliResult result = run_emotion(file("faces"), {"--batch", "1"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("faces/d.png"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("--resume"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(dir_ / "out" / "Identity.npy"));
  write_gray_png("faces/d.png", 64);  // fixed: the run continues where it stopped
  CliResult resumed = run_emotion(file("faces"), {"--batch", "1", "--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  auto output = data::read_npy(file("out/Identity.npy"));
  ASSERT_TRUE(output.has_value());
  EXPECT_EQ(output->shape, (Shape{4, 7}));
}

TEST_F(StreamingErrors, UnwritableOutputDirectory) {
  write_bytes(dir_ / "blocker", "a file where the directory should be");
  CliResult result = run_cli({"run", source_path("examples/emotion/emotion.json"), "--input", file("x.npy"),
                              "--output-dir", file("blocker/out")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("blocker/out: cannot create the output directory"), std::string::npos) << result.err;
}

TEST_F(StreamingErrors, OutputAlreadyExists) {
  fs::create_directories(dir_ / "out");
  write_bytes(dir_ / "out" / "Identity.npy", "precious");
  CliResult result = run_emotion(file("x.npy"));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("Identity.npy: output already exists (pass --overwrite"), std::string::npos) << result.err;
  EXPECT_EQ(read_bytes(dir_ / "out" / "Identity.npy"), "precious");
  EXPECT_FALSE(fs::exists(dir_ / "out" / "Identity.npy.partial"));
  ASSERT_EQ(run_emotion(file("x.npy"), {"--overwrite"}).exit_code, 0);
  EXPECT_NE(read_bytes(dir_ / "out" / "Identity.npy"), "precious");
}

TEST_F(StreamingErrors, FlagsThatContradict) {
  expect_clean_error(run_emotion(file("x.npy"), {"--top-k", "3"}), {"--top-k 3", "--format csv or jsonl"});
  expect_clean_error(run_emotion(file("x.npy"), {"--batch", "0"}), {"--batch 0", "expected a batch size >= 1"});
  expect_clean_error(run_emotion(file("x.npy"), {"--format", "xml"}), {"--format \"xml\"", "npy, csv or jsonl"});
  expect_clean_error(run_emotion(file("x.npy"), {"--scale", "1/255"}), {"--mean / --scale", "found none"});
  expect_clean_error(run_emotion(file("x.npy"), {"--format", "csv", "--top-k", "9"}),
                     {"--top-k 9", "output \"Identity\"", "expected at least 9 classes, found 7"},
                     "predictions.csv");
}

}  // namespace
}  // namespace leanrt::testing
