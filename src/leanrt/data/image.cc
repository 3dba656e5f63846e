#include "leanrt/data/image.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>

// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>
#include <png.h>

namespace leanrt::data {
namespace {

// An image larger than this is refused rather than allocated: 1 GiB of
// decoded pixels is far beyond any model input and usually a corrupt header.
constexpr uint64_t kMaxDecodedBytes = uint64_t{1} << 30;

bool is_jpeg(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 3 && bytes[0] == 0xff && bytes[1] == 0xd8 && bytes[2] == 0xff;
}

bool is_png(const std::vector<uint8_t>& bytes) {
  static constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  return bytes.size() >= 8 && std::memcmp(bytes.data(), kSignature, 8) == 0;
}

std::string first_bytes_hex(const std::vector<uint8_t>& bytes) {
  if (bytes.empty()) return "an empty file";
  std::string text = "bytes";
  for (size_t i = 0; i < std::min<size_t>(bytes.size(), 4); ++i) text += fmt::format(" {:02x}", bytes[i]);
  return text;
}

Status read_whole_file(const std::string& path, std::vector<uint8_t>& bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("{}: cannot open image: {}", path, std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
    ::close(fd);
    return io_error("{}: cannot read image: expected a file, found {}", path,
                    S_ISDIR(info.st_mode) ? "a directory" : std::strerror(errno));
  }
  bytes.resize(static_cast<size_t>(info.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      const int saved = errno;
      ::close(fd);
      return io_error("{}: cannot read image: {}", path, got == 0 ? "file shrank while reading" : std::strerror(saved));
    }
    done += static_cast<size_t>(got);
  }
  ::close(fd);
  return Status::ok();
}

// libjpeg reports fatal errors through error_exit, which must not return:
// it longjmps back to decode_jpeg. Nothing in decode_jpeg's frame has a
// destructor, so the jump skips no C++ cleanup.
struct JpegErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_jpeg_error(j_common_ptr info) {
  auto* manager = reinterpret_cast<JpegErrorManager*>(info->err);
  (*info->err->format_message)(info, manager->message);
  std::longjmp(manager->jump, 1);
}

// Warnings (e.g. "premature end of data segment") keep decoding, as
// TensorFlow's decoder does; they must not print to stderr.
void on_jpeg_message(j_common_ptr) {}

bool decode_jpeg(const std::vector<uint8_t>& bytes, int64_t channels, DecodedImage* image, char* error) {
  jpeg_decompress_struct info;
  JpegErrorManager errors;
  info.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = on_jpeg_error;
  errors.base.output_message = on_jpeg_message;
  if (setjmp(errors.jump)) {
    std::snprintf(error, JMSG_LENGTH_MAX, "%s", errors.message);
    jpeg_destroy_decompress(&info);
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  info.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  // tf.io.decode_jpeg's default dct_method is INTEGER_FAST; matching it keeps
  // the inputs identical to a TensorFlow pipeline's.
  info.dct_method = JDCT_IFAST;
  jpeg_calc_output_dimensions(&info);
  const uint64_t decoded_bytes = uint64_t{info.output_width} * info.output_height * static_cast<uint64_t>(channels);
  if (decoded_bytes > kMaxDecodedBytes) {
    std::snprintf(error, JMSG_LENGTH_MAX, "image is %ux%u: expected at most %llu decoded bytes", info.output_width,
                  info.output_height, static_cast<unsigned long long>(kMaxDecodedBytes));
    jpeg_destroy_decompress(&info);
    return false;
  }
  jpeg_start_decompress(&info);
  image->height = info.output_height;
  image->width = info.output_width;
  image->channels = channels;
  image->pixels.resize(decoded_bytes);
  const size_t row_bytes = static_cast<size_t>(info.output_width) * static_cast<size_t>(channels);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = image->pixels.data() + static_cast<size_t>(info.output_scanline) * row_bytes;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return true;
}

// PNG through libpng's simplified API, always as 8-bit RGBA: alpha is then
// dropped (not composited), as tf.io.decode_png(channels=3) does.
Status decode_png(const std::string& path, const std::vector<uint8_t>& bytes, int64_t channels,
                  std::vector<uint8_t>& rgba, DecodedImage& image) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()))
    return invalid_argument("{}: cannot decode PNG: {}", path, png.message);
  // 16-bit samples are sRGB-encoded like 8-bit ones; without this flag libpng
  // would treat them as linear and gamma-encode them.
  png.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  png.format = PNG_FORMAT_RGBA;
  const uint64_t rgba_bytes = PNG_IMAGE_SIZE(png);
  if (rgba_bytes > kMaxDecodedBytes) {
    png_image_free(&png);
    return invalid_argument("{}: image is {}x{}: expected at most {} decoded bytes", path, png.width, png.height,
                            kMaxDecodedBytes);
  }
  rgba.resize(rgba_bytes);
  if (!png_image_finish_read(&png, nullptr, rgba.data(), 0, nullptr)) {
    const std::string message = png.message;
    png_image_free(&png);
    return invalid_argument("{}: cannot decode PNG: {}", path, message);
  }
  image.height = png.height;
  image.width = png.width;
  image.channels = channels;
  const size_t pixels = static_cast<size_t>(png.width) * png.height;
  image.pixels.resize(pixels * static_cast<size_t>(channels));
  for (size_t p = 0; p < pixels; ++p) {
    const uint8_t* source = &rgba[4 * p];
    if (channels == 3) {
      std::memcpy(&image.pixels[3 * p], source, 3);
    } else {
      // ITU-R BT.601 luma, the weights libjpeg uses for gray JPEG output, so
      // a gray model sees the same values from either format.
      image.pixels[p] = static_cast<uint8_t>((299 * source[0] + 587 * source[1] + 114 * source[2] + 500) / 1000);
    }
  }
  return Status::ok();
}

}  // namespace

Expected<const DecodedImage*> ImageDecoder::decode(const std::string& path, int64_t channels) {
  if (channels != 1 && channels != 3)
    return invalid_argument("{}: images decode to 1 (gray) or 3 (RGB) channels, not {}", path, channels);
  LEANRT_RETURN_IF_ERROR(read_whole_file(path, file_bytes_));
  if (is_jpeg(file_bytes_)) {
    char error[JMSG_LENGTH_MAX] = {};
    if (!decode_jpeg(file_bytes_, channels, &image_, error))
      return invalid_argument("{}: cannot decode JPEG: {}", path, error);
    return &image_;
  }
  if (is_png(file_bytes_)) {
    LEANRT_RETURN_IF_ERROR(decode_png(path, file_bytes_, channels, rgba_, image_));
    return &image_;
  }
  return invalid_argument("{}: cannot decode image: expected JPEG or PNG data, found {}", path,
                          first_bytes_hex(file_bytes_));
}

namespace {

// One axis of TF's bilinear resize (half_pixel_centers=True): the two source
// indices an output index reads and the weight of the upper one.
struct AxisWeight {
  int64_t lower = 0;
  int64_t upper = 0;
  float lerp = 0.0f;
};

AxisWeight axis_weight(int64_t output_index, float scale, int64_t input_size) {
  const float in = (static_cast<float>(output_index) + 0.5f) * scale - 0.5f;
  const float in_floor = std::floor(in);
  AxisWeight weight;
  weight.lower = std::max<int64_t>(static_cast<int64_t>(in_floor), 0);
  weight.upper = std::min<int64_t>(static_cast<int64_t>(std::ceil(in)), input_size - 1);
  weight.lerp = in - in_floor;
  return weight;
}

}  // namespace

void resize_bilinear(const DecodedImage& image, int64_t height, int64_t width, float* output) {
  const int64_t channels = image.channels;
  const float scale_y = static_cast<float>(image.height) / static_cast<float>(height);
  const float scale_x = static_cast<float>(image.width) / static_cast<float>(width);
  const uint8_t* pixels = image.pixels.data();
  auto at = [&](int64_t y, int64_t x, int64_t c) {
    return static_cast<float>(pixels[(y * image.width + x) * channels + c]);
  };
  for (int64_t y = 0; y < height; ++y) {
    const AxisWeight wy = axis_weight(y, scale_y, image.height);
    for (int64_t x = 0; x < width; ++x) {
      const AxisWeight wx = axis_weight(x, scale_x, image.width);
      for (int64_t c = 0; c < channels; ++c) {
        const float top_left = at(wy.lower, wx.lower, c), top_right = at(wy.lower, wx.upper, c);
        const float bottom_left = at(wy.upper, wx.lower, c), bottom_right = at(wy.upper, wx.upper, c);
        const float top = top_left + (top_right - top_left) * wx.lerp;
        const float bottom = bottom_left + (bottom_right - bottom_left) * wx.lerp;
        *output++ = top + (bottom - top) * wy.lerp;
      }
    }
  }
}

bool has_image_extension(const std::string& path) {
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos) return false;
  std::string extension = path.substr(dot + 1);
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension == "jpg" || extension == "jpeg" || extension == "png";
}

}  // namespace leanrt::data
