// Datasets as rows along their leading axis, read a batch at a time so that
// memory stays flat however large the file is.
//
// Sources:
//   .npy                  memory-mapped; rows are pointers into the mapping (zero copy)
//   .npz member, stored   the same, inside the mapped archive
//   .npz member, deflate  inflated (zlib) batch by batch into an owned buffer
//   images                a directory or a list file of JPEG/PNG files, decoded,
//                         resized to the model input and normalised
//
//   LEANRT_ASSIGN_OR_RETURN(auto source, open_npy_source("x.npy"));
//   source->reserve_rows(32);
//   LEANRT_ASSIGN_OR_RETURN(const std::byte* rows, source->read_rows(0, 32));
//   ...use rows...
//   source->release_rows_before(32);   // their pages leave RSS
//
// Memory: a mapped source keeps at most the rows between the last
// release_rows_before and the end of the last read resident (plus the
// kernel's fault-around, 64 KiB); buffered sources own one batch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "leanrt/base/dtype.h"
#include "leanrt/base/mapped_file.h"
#include "leanrt/base/shape.h"

namespace leanrt::data {

class SampleSource {
 public:
  virtual ~SampleSource() = default;

  // Names the data in errors: "x.npy", "data.npz:x", "faces/".
  const std::string& name() const { return name_; }
  DType dtype() const { return dtype_; }
  // The whole dataset; dim 0 is the sample axis (a rank-0 array is one sample).
  const Shape& shape() const { return shape_; }
  int64_t samples() const { return shape_.empty() ? 1 : shape_[0]; }
  size_t row_bytes() const;

  // Prepares buffers for reads of up to `max_rows` rows (called once, before
  // the first read, so that reading allocates nothing).
  virtual void reserve_rows(int64_t max_rows) {}
  // Rows [first, first + count) as C-order bytes of dtype(); valid until the
  // next call. Reads go forward: `first` is never below an earlier read's.
  virtual Expected<const std::byte*> read_rows(int64_t first, int64_t count) = 0;
  // Every row before `end` has been consumed: release its memory.
  virtual void release_rows_before(int64_t end) {}
  // True when read_rows returns pointers into a mapped file.
  virtual bool reads_in_place() const { return false; }
  // What a sample came from, for table outputs (an image's path); "" for arrays.
  virtual std::string sample_label(int64_t index) const { return ""; }

 protected:
  SampleSource(std::string name, DType dtype, Shape shape)
      : name_(std::move(name)), dtype_(dtype), shape_(std::move(shape)) {}
  // For sources that learn their layout while opening (a deflated header).
  void set_layout(DType dtype, Shape shape) {
    dtype_ = dtype;
    shape_ = std::move(shape);
  }

 private:
  std::string name_;
  DType dtype_;
  Shape shape_;
};

using SampleSourcePtr = std::unique_ptr<SampleSource>;

// A .npy file, mapped. Checks the header and the file length.
Expected<SampleSourcePtr> open_npy_source(const std::string& path);

// An opened .npz archive; members are opened by array name (without ".npy").
class NpzArchive {
 public:
  static Expected<std::shared_ptr<NpzArchive>> open(const std::string& path);
  const std::string& path() const { return path_; }
  // Array names in archive order ("x" for the member "x.npy").
  std::vector<std::string> array_names() const;
  Expected<SampleSourcePtr> open_array(const std::string& array_name) const;

 private:
  struct Member;
  NpzArchive() = default;
  std::string path_;
  std::shared_ptr<MappedFile> file_;
  std::vector<std::shared_ptr<const Member>> members_;
};

// How image files become rows of a model input [N, height, width, channels].
struct ImageSpec {
  DType dtype = DType::kF32;  // the model input's: float types get (x - mean) * scale, integers the rounded pixels
  int64_t height = 0;
  int64_t width = 0;
  int64_t channels = 3;       // 1: gray, 3: RGB
  std::vector<float> mean;    // one value, or one per channel; empty: 0
  std::vector<float> scale;   // one value, or one per channel; empty: 1
};

// What kind of dataset `path` is, from its name (and whether it is a
// directory): .npy, .npz, a directory of images, a single .jpg/.jpeg/.png,
// else a list file of image paths.
enum class DatasetKind { kNpy, kNpz, kImageDirectory, kImageFile, kImageList };
DatasetKind dataset_kind(const std::string& path);

// The image files `path` names: a directory (its .jpg/.jpeg/.png files,
// sorted by name) or a list file (one path per line, relative to the list's
// directory; blank lines and lines starting with '#' skipped). Each listed
// file must exist.
Expected<std::vector<std::string>> list_image_files(const std::string& path);

// A source decoding `files` to rows of `spec`; `name` is the directory or list.
Expected<SampleSourcePtr> open_image_source(const std::string& name, std::vector<std::string> files,
                                            const ImageSpec& spec);

}  // namespace leanrt::data
