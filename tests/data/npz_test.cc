// .npy and .npz sources against files numpy wrote: stored members read in
// place, deflated members inflated batch by batch (and skipped into when a
// run resumes), and each malformed-archive class rejected with one line
// naming the file.
#include <gtest/gtest.h>

#include <cstring>

#include "data/dataset_files.h"
#include "leanrt/data/npy.h"
#include "leanrt/data/sample_source.h"

namespace leanrt::testing {
namespace {

class NpzSources : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!numpy_available()) GTEST_SKIP() << "python3-numpy not installed";
    dir_ = scratch_dir("npz");
    // 1000 x 17 floats compress to many deflate blocks, so skipping and
    // batch reads cross block boundaries.
    ASSERT_TRUE(run_numpy_script(dir_, R"(
x = np.arange(5 * 3 * 2, dtype=np.float32).reshape(5, 3, 2)
y = np.arange(5, dtype=np.int64)
np.savez('stored.npz', x=x, y=y)
np.savez_compressed('deflated.npz', x=x, y=y)
big = np.random.default_rng(0).random((1000, 17)).astype(np.float32)
np.save('big.npy', big)
np.savez_compressed('big.npz', big=big)
)"));
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

std::vector<float> floats_at(const std::byte* rows, size_t count) {
  std::vector<float> values(count);
  std::memcpy(values.data(), rows, count * sizeof(float));
  return values;
}

TEST_F(NpzSources, StoredMembersAreReadInPlace) {
  auto archive = data::NpzArchive::open(path("stored.npz"));
  ASSERT_TRUE(archive.has_value()) << archive.status().message();
  EXPECT_EQ((*archive)->array_names(), (std::vector<std::string>{"x", "y"}));
  auto x = (*archive)->open_array("x");
  ASSERT_TRUE(x.has_value()) << x.status().message();
  EXPECT_TRUE((*x)->reads_in_place());
  EXPECT_EQ((*x)->shape(), (Shape{5, 3, 2}));
  EXPECT_EQ((*x)->name(), path("stored.npz") + ":x");
  auto rows = (*x)->read_rows(1, 2);
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(floats_at(*rows, 12), (std::vector<float>{6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}));
}

TEST_F(NpzSources, DeflatedMembersInflateBatchByBatch) {
  auto archive = data::NpzArchive::open(path("deflated.npz"));
  ASSERT_TRUE(archive.has_value()) << archive.status().message();
  auto y = (*archive)->open_array("y");
  ASSERT_TRUE(y.has_value()) << y.status().message();
  EXPECT_FALSE((*y)->reads_in_place());
  EXPECT_EQ((*y)->dtype(), DType::kI64);
  (*y)->reserve_rows(3);
  auto first = (*y)->read_rows(0, 3);
  ASSERT_TRUE(first.has_value()) << first.status().message();
  EXPECT_EQ(reinterpret_cast<const int64_t*>(*first)[2], 2);
  auto last = (*y)->read_rows(3, 2);  // the end of the stream: the CRC is checked here
  ASSERT_TRUE(last.has_value()) << last.status().message();
  EXPECT_EQ(reinterpret_cast<const int64_t*>(*last)[1], 4);
}

TEST_F(NpzSources, AResumedReadSkipsIntoADeflatedMember) {
  auto want = data::read_npy(path("big.npy"));
  ASSERT_TRUE(want.has_value());
  auto archive = data::NpzArchive::open(path("big.npz"));
  ASSERT_TRUE(archive.has_value());
  auto big = (*archive)->open_array("big");
  ASSERT_TRUE(big.has_value()) << big.status().message();
  (*big)->reserve_rows(64);
  for (int64_t first : {500, 564, 628, 692, 756, 820, 884, 948}) {
    const int64_t count = std::min<int64_t>(64, 1000 - first);
    auto rows = (*big)->read_rows(first, count);
    ASSERT_TRUE(rows.has_value()) << rows.status().message();
    EXPECT_EQ(std::memcmp(*rows, want->data + first * 17 * sizeof(float), count * 17 * sizeof(float)), 0)
        << "rows from " << first;
  }
}

TEST_F(NpzSources, CorruptDeflateDataIsNamed) {
  std::string bytes = read_bytes(dir_ / "big.npz");
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 64; ++i) bytes[i] = static_cast<char>(~bytes[i]);
  write_bytes(dir_ / "bad.npz", bytes);
  auto archive = data::NpzArchive::open(path("bad.npz"));
  ASSERT_TRUE(archive.has_value()) << archive.status().message();
  auto big = (*archive)->open_array("big");
  ASSERT_TRUE(big.has_value()) << big.status().message();
  (*big)->reserve_rows(1000);
  auto rows = (*big)->read_rows(0, 1000);
  ASSERT_FALSE(rows.has_value());
  EXPECT_NE(rows.status().message().find("bad.npz:big"), std::string::npos) << rows.status().message();
  EXPECT_NE(rows.status().message().find("corrupt"), std::string::npos) << rows.status().message();
}

TEST_F(NpzSources, MalformedArchivesFailWithOneLineNamingTheFile) {
  const std::string bytes = read_bytes(dir_ / "stored.npz");
  write_bytes(dir_ / "half.npz", bytes.substr(0, bytes.size() / 2));
  write_bytes(dir_ / "text.npz", "hello, I am not a zip archive");
  for (const auto& [file, fragment] : std::vector<std::pair<std::string, std::string>>{
           {"half.npz", "expected an end-of-central-directory record"}, {"text.npz", "not an .npz file"}}) {
    auto archive = data::NpzArchive::open(path(file));
    ASSERT_FALSE(archive.has_value()) << file;
    const std::string message = archive.status().message();
    EXPECT_NE(message.find(file), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  auto archive = data::NpzArchive::open(path("stored.npz"));
  ASSERT_TRUE(archive.has_value());
  auto missing = (*archive)->open_array("z");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.status().message().find("no array \"z\" (the archive holds x, y)"), std::string::npos)
      << missing.status().message();
}

TEST_F(NpzSources, NpyRowsArePagesOfTheMapping) {
  auto source = data::open_npy_source(path("big.npy"));
  ASSERT_TRUE(source.has_value()) << source.status().message();
  EXPECT_TRUE((*source)->reads_in_place());
  EXPECT_EQ((*source)->samples(), 1000);
  EXPECT_EQ((*source)->row_bytes(), 17 * sizeof(float));
  auto rows = (*source)->read_rows(10, 5);
  ASSERT_TRUE(rows.has_value());
  (*source)->release_rows_before(15);  // dropping pages keeps the data readable from the file
  auto again = (*source)->read_rows(10, 5);
  ASSERT_TRUE(again.has_value());
  auto want = data::read_npy(path("big.npy"));
  EXPECT_EQ(std::memcmp(*again, want->data + 10 * 17 * sizeof(float), 5 * 17 * sizeof(float)), 0);
}

}  // namespace
}  // namespace leanrt::testing
