// Image inputs: PNG and JPEG decoding, TensorFlow's half-pixel bilinear
// resize, normalisation, directory and list-file discovery, and one clear
// line for every file that cannot be read.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>
#include <png.h>

#include "data/dataset_files.h"
#include "leanrt/data/image.h"
#include "leanrt/data/sample_source.h"

namespace leanrt::testing {
namespace {

// Test images are written with the same libraries, through their simplest APIs.
void write_png(const fs::path& path, int width, int height, int channels, const std::vector<uint8_t>& pixels) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = channels == 1 ? PNG_FORMAT_GRAY : channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
  ASSERT_TRUE(png_image_write_to_file(&image, path.c_str(), 0, pixels.data(), 0, nullptr)) << image.message;
}

void write_jpeg(const fs::path& path, int width, int height, const std::vector<uint8_t>& rgb) {
  FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  jpeg_compress_struct info;
  jpeg_error_mgr errors;
  info.err = jpeg_std_error(&errors);
  jpeg_create_compress(&info);
  jpeg_stdio_dest(&info, file);
  info.image_width = static_cast<JDIMENSION>(width);
  info.image_height = static_cast<JDIMENSION>(height);
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 100, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(&rgb[static_cast<size_t>(info.next_scanline) * width * 3]);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::fclose(file);
}

class Images : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = scratch_dir("images"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(Images, PngDecodesExactlyAndGrayUsesBt601Luma) {
  const std::vector<uint8_t> rgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 200, 200, 200, 0, 0, 0};
  write_png(dir_ / "a.png", 3, 2, 3, rgb);
  data::ImageDecoder decoder;
  auto color = decoder.decode((dir_ / "a.png").string(), 3);
  ASSERT_TRUE(color.has_value()) << color.status().message();
  EXPECT_EQ((*color)->width, 3);
  EXPECT_EQ((*color)->height, 2);
  EXPECT_EQ((*color)->pixels, rgb);
  auto gray = decoder.decode((dir_ / "a.png").string(), 1);
  ASSERT_TRUE(gray.has_value());
  // (299 R + 587 G + 114 B + 500) / 1000
  EXPECT_EQ((*gray)->pixels, (std::vector<uint8_t>{76, 150, 29, 18, 200, 0}));
}

TEST_F(Images, PngAlphaIsDroppedNotComposited) {
  write_png(dir_ / "rgba.png", 1, 1, 4, {100, 150, 200, 0});  // fully transparent
  data::ImageDecoder decoder;
  auto image = decoder.decode((dir_ / "rgba.png").string(), 3);
  ASSERT_TRUE(image.has_value()) << image.status().message();
  EXPECT_EQ((*image)->pixels, (std::vector<uint8_t>{100, 150, 200}));
}

TEST_F(Images, JpegDecodesCloseToItsPixels) {
  std::vector<uint8_t> rgb(16 * 16 * 3);
  for (size_t i = 0; i < rgb.size(); i += 3) {
    rgb[i] = 200;
    rgb[i + 1] = 100;
    rgb[i + 2] = 50;
  }
  write_jpeg(dir_ / "flat.jpg", 16, 16, rgb);
  data::ImageDecoder decoder;
  auto image = decoder.decode((dir_ / "flat.jpg").string(), 3);
  ASSERT_TRUE(image.has_value()) << image.status().message();
  ASSERT_EQ((*image)->pixels.size(), rgb.size());
  for (size_t i = 0; i < rgb.size(); ++i) EXPECT_NEAR((*image)->pixels[i], rgb[i], 3) << i;  // lossy codec
}

TEST(ResizeBilinear, MatchesTensorFlowHalfPixelCentres) {
  // tf.image.resize([[0, 10], [20, 30]] as [2, 2, 1], (4, 4), "bilinear") in TF 2.
  data::DecodedImage image{2, 2, 1, {0, 10, 20, 30}};
  std::vector<float> resized(16);
  data::resize_bilinear(image, 4, 4, resized.data());
  EXPECT_EQ(resized, (std::vector<float>{0, 2.5, 7.5, 10, 5, 7.5, 12.5, 15, 15, 17.5, 22.5, 25, 20, 22.5, 27.5, 30}));
  std::vector<float> same(4);
  data::resize_bilinear(image, 2, 2, same.data());
  EXPECT_EQ(same, (std::vector<float>{0, 10, 20, 30}));
}

TEST_F(Images, UnreadableImagesGetOneLineNamingTheFile) {
  write_bytes(dir_ / "text.png", "hello, I am not an image");
  write_png(dir_ / "good.png", 4, 4, 1, std::vector<uint8_t>(16, 7));
  const std::string png = read_bytes(dir_ / "good.png");
  write_bytes(dir_ / "short.png", png.substr(0, png.size() - 20));
  write_bytes(dir_ / "short.jpg", "\xff\xd8\xff\xe0 truncated");
  data::ImageDecoder decoder;
  for (const auto& [file, fragment] : std::vector<std::pair<std::string, std::string>>{
           {"text.png", "expected JPEG or PNG data, found bytes 68 65 6c 6c"},
           {"short.png", "cannot decode PNG"},
           {"short.jpg", "cannot decode JPEG"},
           {"missing.png", "cannot open image"}}) {
    auto image = decoder.decode((dir_ / file).string(), 3);
    ASSERT_FALSE(image.has_value()) << file;
    const std::string message = image.status().message();
    EXPECT_NE(message.find(file), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST_F(Images, DirectoriesAreListedSortedAndListFilesRelativeToThemselves) {
  fs::create_directories(dir_ / "faces");
  for (const char* name : {"b.png", "a.JPG", "c.jpeg", "notes.txt"}) write_bytes(dir_ / "faces" / name, "x");
  auto listed = data::list_image_files((dir_ / "faces").string());
  ASSERT_TRUE(listed.has_value()) << listed.status().message();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ(fs::path((*listed)[0]).filename(), "a.JPG");
  EXPECT_EQ(fs::path((*listed)[2]).filename(), "c.jpeg");

  write_bytes(dir_ / "list.txt", "# faces\nfaces/b.png\n\nfaces/a.JPG\r\n");
  auto list = data::list_image_files((dir_ / "list.txt").string());
  ASSERT_TRUE(list.has_value()) << list.status().message();
  EXPECT_EQ(*list, (std::vector<std::string>{(dir_ / "faces/b.png").string(), (dir_ / "faces/a.JPG").string()}));

  write_bytes(dir_ / "broken.txt", "faces/b.png\nfaces/gone.png\n");
  auto broken = data::list_image_files((dir_ / "broken.txt").string());
  ASSERT_FALSE(broken.has_value());
  EXPECT_NE(broken.status().message().find("broken.txt line 2"), std::string::npos) << broken.status().message();
  EXPECT_NE(broken.status().message().find("gone.png"), std::string::npos) << broken.status().message();

  fs::create_directories(dir_ / "empty");
  EXPECT_FALSE(data::list_image_files((dir_ / "empty").string()).has_value());
}

TEST_F(Images, SourceResizesAndNormalisesToTheModelInput) {
  write_png(dir_ / "a.png", 2, 2, 1, {0, 10, 20, 30});
  write_png(dir_ / "b.png", 4, 4, 1, std::vector<uint8_t>(16, 255));
  data::ImageSpec spec;
  spec.height = 4;
  spec.width = 4;
  spec.channels = 1;
  spec.mean = {127.5f};
  spec.scale = {1 / 127.5f};
  auto source = data::open_image_source("images", {(dir_ / "a.png").string(), (dir_ / "b.png").string()}, spec);
  ASSERT_TRUE(source.has_value()) << source.status().message();
  EXPECT_EQ((*source)->shape(), (Shape{2, 4, 4, 1}));
  (*source)->reserve_rows(2);
  auto rows = (*source)->read_rows(0, 2);
  ASSERT_TRUE(rows.has_value()) << rows.status().message();
  const float* values = reinterpret_cast<const float*>(*rows);
  EXPECT_FLOAT_EQ(values[1], (2.5f - 127.5f) / 127.5f);
  EXPECT_FLOAT_EQ(values[16], 1.0f);
  EXPECT_EQ((*source)->sample_label(1), (dir_ / "b.png").string());

  spec.dtype = DType::kU8;
  EXPECT_FALSE(data::open_image_source("images", {(dir_ / "a.png").string()}, spec).has_value())
      << "--mean/--scale on a uint8 input must be refused";
}

}  // namespace
}  // namespace leanrt::testing
