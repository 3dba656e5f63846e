// Image files to model input rows: JPEG (libjpeg-turbo) and PNG (libpng)
// decoding, TensorFlow-style bilinear resizing and per-channel normalisation.
//
//   ImageDecoder decoder;
//   LEANRT_ASSIGN_OR_RETURN(const DecodedImage& image, decoder.decode("cat.jpg", 3));
//   resize_bilinear(image, 224, 224, pixels);          // floats, [224, 224, 3]
//
// The pipeline matches what a TensorFlow user writes by hand:
// tf.io.decode_image(channels=C) -> tf.image.resize(size, "bilinear") ->
// (x - mean) * scale.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "leanrt/base/status.h"

namespace leanrt::data {

// 8-bit pixels, rows top to bottom, channels interleaved (gray or RGB).
struct DecodedImage {
  int64_t height = 0;
  int64_t width = 0;
  int64_t channels = 0;
  std::vector<uint8_t> pixels;
};

// Decodes images one after the other, reusing its buffers, so a long run
// over a directory allocates only when an image is larger than any before.
class ImageDecoder {
 public:
  // Reads and decodes `path` to `channels` (1: gray, 3: RGB). The result is
  // valid until the next call. Errors name the file and say what was found.
  Expected<const DecodedImage*> decode(const std::string& path, int64_t channels);

 private:
  std::vector<uint8_t> file_bytes_;
  std::vector<uint8_t> rgba_;  // PNG staging before alpha is dropped
  DecodedImage image_;
};

// Resizes to [height, width, channels] floats with half-pixel centres, as
// tf.image.resize(method="bilinear", antialias=False) in TF 2.
void resize_bilinear(const DecodedImage& image, int64_t height, int64_t width, float* output);

// True for the file names an image directory is scanned for (.jpg .jpeg .png, any case).
bool has_image_extension(const std::string& path);

}  // namespace leanrt::data
