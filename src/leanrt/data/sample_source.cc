#include "leanrt/data/sample_source.h"

#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "leanrt/data/npy.h"
#include "leanrt/data/zip_archive.h"

namespace leanrt::data {

size_t SampleSource::row_bytes() const {
  int64_t elements = 1;
  for (size_t axis = 1; axis < shape_.size(); ++axis) elements *= shape_[axis];
  return static_cast<size_t>(elements) * dtype_size(dtype_);
}

DatasetKind dataset_kind(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return DatasetKind::kImageDirectory;
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension == ".npy") return DatasetKind::kNpy;
  if (extension == ".npz") return DatasetKind::kNpz;
  if (extension == ".jpg" || extension == ".jpeg" || extension == ".png") return DatasetKind::kImageFile;
  return DatasetKind::kImageList;
}

namespace {

size_t page_bytes() {
  static const size_t bytes = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return bytes;
}

size_t page_floor(size_t offset) { return offset / page_bytes() * page_bytes(); }

// Rows that are pages of a mapped file: read_rows hands out pointers into
// the mapping and asks the kernel to read the next batch ahead; consumed
// pages are dropped from the process with MADV_DONTNEED. Without that drop,
// RSS grows to the size of the file (every page read stays mapped) - the
// np.memmap trap.
class MappedArraySource final : public SampleSource {
 public:
  MappedArraySource(std::string name, std::shared_ptr<MappedFile> file, DType dtype, Shape shape,
                    size_t data_offset)
      : SampleSource(std::move(name), dtype, std::move(shape)),
        file_(std::move(file)),
        data_offset_(data_offset),
        released_through_(page_floor(data_offset)) {}

  Expected<const std::byte*> read_rows(int64_t first, int64_t count) override {
    const size_t begin = data_offset_ + static_cast<size_t>(first) * row_bytes();
    const size_t end = begin + static_cast<size_t>(count) * row_bytes();
    prefetch(end, end - begin);
    return file_->data() + begin;
  }

  void release_rows_before(int64_t end) override {
    const size_t release_end = page_floor(data_offset_ + static_cast<size_t>(end) * row_bytes());
    if (release_end <= released_through_) return;
    file_->release_pages(released_through_, release_end - released_through_);
    released_through_ = release_end;
  }

  bool reads_in_place() const override { return true; }

 private:
  // MADV_WILLNEED starts reading the next batch into the page cache while the
  // model runs; it maps nothing, so RSS does not grow until the rows are read.
  void prefetch(size_t offset, size_t bytes) {
    const size_t size = file_->size_bytes();
    if (offset >= size || bytes == 0) return;
    const size_t begin = page_floor(offset);
    const size_t end = std::min(size, offset + bytes);
    madvise(const_cast<std::byte*>(file_->data()) + begin, end - begin, MADV_WILLNEED);
  }

  std::shared_ptr<MappedFile> file_;
  size_t data_offset_;
  // Page-aligned: this source's pages before it are released. It starts at
  // the array, not the file: an .npz's other members may be in use.
  size_t released_through_;
};

Status check_data_fits(const std::string& name, const NpyHeader& header, uint64_t available) {
  const uint64_t needed = static_cast<uint64_t>(num_elements(header.shape)) * dtype_size(header.dtype);
  if (available < needed)
    return invalid_argument("{}: truncated .npy: shape {} {} needs {} data bytes, found {}", name,
                            shape_string(header.shape), dtype_name(header.dtype), needed, available);
  return Status::ok();
}

}  // namespace

Expected<SampleSourcePtr> open_npy_source(const std::string& path) {
  LEANRT_ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  LEANRT_ASSIGN_OR_RETURN(NpyHeader header, parse_npy_header(file->data(), file->size_bytes(), path));
  LEANRT_RETURN_IF_ERROR(check_data_fits(path, header, file->size_bytes() - header.data_offset));
  return SampleSourcePtr(new MappedArraySource(path, std::move(file), header.dtype, header.shape, header.data_offset));
}

// ---- .npz ------------------------------------------------------------------

struct NpzArchive::Member {
  ZipMember zip;
};

namespace {

struct InflateStreamDeleter {
  void operator()(z_stream* stream) const {
    inflateEnd(stream);
    delete stream;
  }
};

// A deflated member (np.savez_compressed), inflated front to back: each read
// inflates exactly the rows asked for into one owned batch buffer, and the
// compressed pages behind the stream are released as it advances. Reads that
// skip rows (a resumed run) inflate and discard them.
class DeflatedArraySource final : public SampleSource {
 public:
  static Expected<SampleSourcePtr> open(const std::string& name, std::shared_ptr<MappedFile> file,
                                        const ZipMember& member) {
    std::unique_ptr<DeflatedArraySource> source(new DeflatedArraySource(name, std::move(file), member));
    LEANRT_RETURN_IF_ERROR(source->start());
    return SampleSourcePtr(std::move(source));
  }

  void reserve_rows(int64_t max_rows) override {
    rows_ = AlignedBuffer(static_cast<size_t>(std::max<int64_t>(max_rows, 1)) * row_bytes());
  }

  Expected<const std::byte*> read_rows(int64_t first, int64_t count) override {
    if (first < next_row_)
      return internal_error("{}: rows {} were already inflated past (at row {})", name(), first, next_row_);
    const int64_t capacity_rows = row_bytes() == 0 ? count : static_cast<int64_t>(rows_.size_bytes() / row_bytes());
    while (next_row_ < first) {  // skip, a buffer at a time
      const int64_t skip = std::min(first - next_row_, capacity_rows);
      LEANRT_RETURN_IF_ERROR(inflate_exactly(rows_.data(), static_cast<size_t>(skip) * row_bytes()));
      next_row_ += skip;
    }
    if (count > capacity_rows)
      return internal_error("{}: read of {} rows exceeds the {} reserved", name(), count, capacity_rows);
    LEANRT_RETURN_IF_ERROR(inflate_exactly(rows_.data(), static_cast<size_t>(count) * row_bytes()));
    next_row_ += count;
    if (next_row_ == samples()) LEANRT_RETURN_IF_ERROR(check_stream_end());
    return rows_.data();
  }

  void release_rows_before(int64_t) override {
    const size_t consumed = page_floor(compressed_offset_ + consumed_compressed_bytes());
    if (consumed <= released_through_) return;
    file_->release_pages(released_through_, consumed - released_through_);
    released_through_ = consumed;
  }

 private:
  DeflatedArraySource(const std::string& name, std::shared_ptr<MappedFile> file, const ZipMember& member)
      : SampleSource(name, DType::kInvalid, {}),
        file_(std::move(file)),
        compressed_offset_(member.data_offset),
        compressed_bytes_(member.compressed_bytes),
        uncompressed_bytes_(member.uncompressed_bytes),
        expected_crc_(member.crc32),
        stream_(new z_stream{}),
        released_through_(page_floor(member.data_offset)) {}

  // Inflates the npy header (its length is in its first bytes) and checks
  // that the member's size holds the whole array.
  Status start() {
    if (inflateInit2(stream_.get(), -MAX_WBITS) != Z_OK)  // raw deflate: zip members have no zlib header
      return internal_error("{}: zlib inflateInit2 failed", name());
    std::string header(12, '\0');
    LEANRT_RETURN_IF_ERROR(inflate_exactly(reinterpret_cast<std::byte*>(header.data()), 10));
    const bool long_length = header[6] == 2 || header[6] == 3;  // versions 2 and 3: 4-byte length
    if (long_length) LEANRT_RETURN_IF_ERROR(inflate_exactly(reinterpret_cast<std::byte*>(&header[10]), 2));
    else header.resize(10);
    size_t dict_bytes = 0;
    for (int i = 0; i < (long_length ? 4 : 2); ++i)
      dict_bytes |= static_cast<size_t>(static_cast<unsigned char>(header[8 + i])) << (8 * i);
    if (std::memcmp(header.data(), "\x93NUMPY", 6) != 0 || header.size() + dict_bytes > uncompressed_bytes_)
      return parse_npy_header(reinterpret_cast<const std::byte*>(header.data()), header.size(), name()).status();
    const size_t preamble = header.size();
    header.resize(preamble + dict_bytes);
    LEANRT_RETURN_IF_ERROR(inflate_exactly(reinterpret_cast<std::byte*>(&header[preamble]), dict_bytes));
    LEANRT_ASSIGN_OR_RETURN(NpyHeader parsed, parse_npy_header(reinterpret_cast<const std::byte*>(header.data()),
                                                               header.size(), name()));
    LEANRT_RETURN_IF_ERROR(check_data_fits(name(), parsed, uncompressed_bytes_ - parsed.data_offset));
    set_layout(parsed.dtype, parsed.shape);
    return Status::ok();
  }

  uint64_t consumed_compressed_bytes() const { return fed_bytes_ - stream_->avail_in; }

  Status inflate_exactly(std::byte* output, size_t bytes) {
    z_stream& stream = *stream_;
    while (bytes > 0) {
      if (stream.avail_in == 0 && fed_bytes_ < compressed_bytes_) {
        // avail_in is 32-bit: feed the mapped member a GiB at a time.
        const uint64_t chunk = std::min<uint64_t>(compressed_bytes_ - fed_bytes_, uint64_t{1} << 30);
        stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(file_->data() + compressed_offset_ + fed_bytes_));
        stream.avail_in = static_cast<uInt>(chunk);
        fed_bytes_ += chunk;
      }
      const uInt step = static_cast<uInt>(std::min<size_t>(bytes, uint64_t{1} << 30));
      stream.next_out = reinterpret_cast<Bytef*>(output);
      stream.avail_out = step;
      const int result = inflate(&stream, Z_NO_FLUSH);
      const size_t produced = step - stream.avail_out;
      crc_ = crc32_z(crc_, reinterpret_cast<const Bytef*>(output), produced);
      output += produced;
      bytes -= produced;
      if (bytes == 0) break;
      if (result == Z_STREAM_END || (result == Z_BUF_ERROR && stream.avail_in == 0))
        return invalid_argument("{}: truncated deflate data: expected {} more bytes, found the end of the member",
                                name(), bytes);
      if (result != Z_OK && result != Z_BUF_ERROR)
        return invalid_argument("{}: corrupt deflate data: {}", name(), stream.msg ? stream.msg : zError(result));
    }
    return Status::ok();
  }

  // After the last row: the stream must end here and its CRC match the zip's.
  Status check_stream_end() {
    std::byte extra[1];
    z_stream& stream = *stream_;
    stream.next_out = reinterpret_cast<Bytef*>(extra);
    stream.avail_out = sizeof extra;
    if (stream.avail_in == 0 && fed_bytes_ < compressed_bytes_) {
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(file_->data() + compressed_offset_ + fed_bytes_));
      stream.avail_in = static_cast<uInt>(std::min<uint64_t>(compressed_bytes_ - fed_bytes_, uint64_t{1} << 30));
      fed_bytes_ += stream.avail_in;
    }
    const int result = inflate(&stream, Z_FINISH);
    if (result == Z_STREAM_END && stream.avail_out == sizeof extra && crc_ == expected_crc_) return Status::ok();
    if (crc_ != expected_crc_ && stream.avail_out == sizeof extra)
      return invalid_argument("{}: corrupt member: expected CRC-32 {:08x}, found {:08x}", name(), expected_crc_, crc_);
    return invalid_argument("{}: corrupt member: deflate data does not end after the array", name());
  }

  std::shared_ptr<MappedFile> file_;
  uint64_t compressed_offset_;
  uint64_t compressed_bytes_;
  uint64_t uncompressed_bytes_;
  uint32_t expected_crc_;
  std::unique_ptr<z_stream, InflateStreamDeleter> stream_;
  uint64_t fed_bytes_ = 0;  // compressed bytes handed to zlib so far
  uLong crc_ = 0;
  int64_t next_row_ = 0;
  AlignedBuffer rows_;
  size_t released_through_;  // page-aligned, within this member
};

std::string array_name_of(const std::string& member_name) {
  const std::string suffix = ".npy";
  if (member_name.size() >= suffix.size() &&
      member_name.compare(member_name.size() - suffix.size(), suffix.size(), suffix) == 0)
    return member_name.substr(0, member_name.size() - suffix.size());
  return member_name;
}

}  // namespace

Expected<std::shared_ptr<NpzArchive>> NpzArchive::open(const std::string& path) {
  LEANRT_ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  if (!looks_like_zip(file->data(), file->size_bytes()))
    return invalid_argument("{}: not an .npz file: expected a zip archive (np.savez), found {} bytes that do not "
                            "start with a zip header",
                            path, file->size_bytes());
  LEANRT_ASSIGN_OR_RETURN(std::vector<ZipMember> members, list_zip_members(file->data(), file->size_bytes(), path));
  std::shared_ptr<NpzArchive> archive(new NpzArchive());
  archive->path_ = path;
  archive->file_ = std::move(file);
  for (ZipMember& member : members) archive->members_.push_back(std::make_shared<Member>(Member{std::move(member)}));
  return archive;
}

std::vector<std::string> NpzArchive::array_names() const {
  std::vector<std::string> names;
  for (const auto& member : members_) names.push_back(array_name_of(member->zip.name));
  return names;
}

Expected<SampleSourcePtr> NpzArchive::open_array(const std::string& array_name) const {
  for (const auto& member : members_) {
    if (array_name_of(member->zip.name) != array_name) continue;
    const std::string name = path_ + ":" + array_name;
    if (member->zip.method == ZipMethod::kDeflated) return DeflatedArraySource::open(name, file_, member->zip);
    const std::byte* bytes = file_->data() + member->zip.data_offset;
    LEANRT_ASSIGN_OR_RETURN(NpyHeader header, parse_npy_header(bytes, member->zip.compressed_bytes, name));
    LEANRT_RETURN_IF_ERROR(check_data_fits(name, header, member->zip.compressed_bytes - header.data_offset));
    return SampleSourcePtr(new MappedArraySource(name, file_, header.dtype, header.shape,
                                                 member->zip.data_offset + header.data_offset));
  }
  std::string names;
  for (const std::string& known : array_names()) names += (names.empty() ? "" : ", ") + known;
  return invalid_argument("{}: no array \"{}\" (the archive holds {})", path_, array_name, names);
}

}  // namespace leanrt::data
