// Image files as dataset rows: decode, resize to the model input, normalise.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "leanrt/data/convert.h"
#include "leanrt/data/image.h"
#include "leanrt/data/sample_source.h"

namespace leanrt::data {
namespace {

namespace fs = std::filesystem;

bool is_regular_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

Expected<std::vector<std::string>> list_directory_images(const std::string& directory) {
  std::vector<std::string> files;
  std::error_code error;
  for (fs::directory_iterator entry(directory, error), end; !error && entry != end; entry.increment(error))
    if (has_image_extension(entry->path().filename().string()) && entry->is_regular_file(error))
      files.push_back(entry->path().string());
  if (error) return io_error("{}: cannot list the image directory: {}", directory, error.message());
  if (files.empty())
    return invalid_argument("{}: expected .jpg, .jpeg or .png files in the image directory, found none", directory);
  std::sort(files.begin(), files.end());  // a stable sample order, whatever the file system's
  return files;
}

Expected<std::vector<std::string>> read_image_list(const std::string& list_path) {
  LEANRT_ASSIGN_OR_RETURN(std::string text, read_text_file(list_path));
  const fs::path base = fs::path(list_path).parent_path();
  std::vector<std::string> files;
  size_t line_number = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (line.find('\0') != std::string::npos)
      return invalid_argument("{}: expected a .npy, .npz, image, image directory or a text list of image paths, "
                              "found binary data",
                              list_path);
    const std::string file = fs::path(line).is_absolute() ? line : (base / line).string();
    if (!is_regular_file(file))
      return invalid_argument("{} line {}: image \"{}\": expected a file, found {}", list_path, line_number, file,
                              std::strerror(errno ? errno : ENOENT));
    files.push_back(file);
  }
  if (files.empty()) return invalid_argument("{}: expected image paths, one per line, found none", list_path);
  return files;
}

// Rows decoded from image files into one owned batch buffer.
class ImageFilesSource final : public SampleSource {
 public:
  ImageFilesSource(const std::string& name, std::vector<std::string> files, const ImageSpec& spec)
      : SampleSource(name, spec.dtype,
                     {static_cast<int64_t>(files.size()), spec.height, spec.width, spec.channels}),
        files_(std::move(files)),
        spec_(spec) {}

  void reserve_rows(int64_t max_rows) override {
    rows_ = AlignedBuffer(static_cast<size_t>(std::max<int64_t>(max_rows, 1)) * row_bytes());
    resized_.resize(static_cast<size_t>(spec_.height * spec_.width * spec_.channels));
  }

  Expected<const std::byte*> read_rows(int64_t first, int64_t count) override {
    if (static_cast<size_t>(count) * row_bytes() > rows_.size_bytes())
      return internal_error("{}: read of {} rows exceeds the reserved buffer", name(), count);
    for (int64_t row = 0; row < count; ++row) {
      LEANRT_ASSIGN_OR_RETURN(const DecodedImage* image, decoder_.decode(files_[first + row], spec_.channels));
      resize_bilinear(*image, spec_.height, spec_.width, resized_.data());
      normalise(resized_.data());
      store_row(resized_.data(), rows_.data() + static_cast<size_t>(row) * row_bytes());
    }
    return rows_.data();
  }

  std::string sample_label(int64_t index) const override { return files_[index]; }

 private:
  // (x - mean[c]) * scale[c]; integer model inputs get the pixels unchanged.
  void normalise(float* pixels) const {
    if (spec_.mean.empty() && spec_.scale.empty()) return;
    const size_t pixel_count = resized_.size() / static_cast<size_t>(spec_.channels);
    for (size_t p = 0; p < pixel_count; ++p)
      for (int64_t c = 0; c < spec_.channels; ++c) {
        const float mean = spec_.mean.empty() ? 0.0f : spec_.mean[spec_.mean.size() == 1 ? 0 : c];
        const float scale = spec_.scale.empty() ? 1.0f : spec_.scale[spec_.scale.size() == 1 ? 0 : c];
        float& value = pixels[p * spec_.channels + c];
        value = (value - mean) * scale;
      }
  }

  // Float inputs take the values as they are (converted to the input's float
  // type); integer inputs take them rounded, as tf.cast(tf.round(x)) would.
  void store_row(const float* pixels, std::byte* row) const {
    const int64_t count = static_cast<int64_t>(resized_.size());
    if (dtype_is_float(spec_.dtype)) {
      convert_elements(pixels, DType::kF32, row, spec_.dtype, count);
      return;
    }
    const size_t element_bytes = dtype_size(spec_.dtype);
    for (int64_t i = 0; i < count; ++i) {
      const int32_t value = static_cast<int32_t>(std::nearbyint(std::clamp(pixels[i], 0.0f, 255.0f)));
      convert_elements(&value, DType::kI32, row + static_cast<size_t>(i) * element_bytes, spec_.dtype, 1);
    }
  }

  std::vector<std::string> files_;
  ImageSpec spec_;
  ImageDecoder decoder_;
  AlignedBuffer rows_;
  std::vector<float> resized_;
};

}  // namespace

Expected<std::vector<std::string>> list_image_files(const std::string& path) {
  switch (dataset_kind(path)) {
    case DatasetKind::kImageDirectory: return list_directory_images(path);
    case DatasetKind::kImageFile:
      if (!is_regular_file(path)) return io_error("{}: cannot open image: {}", path, std::strerror(errno));
      return std::vector<std::string>{path};
    default: return read_image_list(path);
  }
}

Expected<SampleSourcePtr> open_image_source(const std::string& name, std::vector<std::string> files,
                                            const ImageSpec& spec) {
  if (spec.channels != 1 && spec.channels != 3)
    return invalid_argument("{}: images become 1 (gray) or 3 (RGB) channels, the model input has {}", name,
                            spec.channels);
  if (spec.height <= 0 || spec.width <= 0)
    return invalid_argument("{}: images are resized to the model input, whose height and width must be fixed: "
                            "found {}x{}",
                            name, spec.height, spec.width);
  for (const auto* values : {&spec.mean, &spec.scale})
    if (values->size() > 1 && values->size() != static_cast<size_t>(spec.channels))
      return invalid_argument("{}: expected 1 or {} values for --mean / --scale (one per channel), found {}", name,
                              spec.channels, values->size());
  if (dtype_is_integer(spec.dtype) && (!spec.mean.empty() || !spec.scale.empty()))
    return invalid_argument("{}: the model input is {}: --mean / --scale apply to float inputs only", name,
                            dtype_name(spec.dtype));
  if (spec.dtype == DType::kI8 || (!dtype_is_float(spec.dtype) && !dtype_is_integer(spec.dtype)))
    return invalid_argument("{}: images cannot feed a {} input", name, dtype_name(spec.dtype));
  return SampleSourcePtr(new ImageFilesSource(name, std::move(files), spec));
}

}  // namespace leanrt::data
