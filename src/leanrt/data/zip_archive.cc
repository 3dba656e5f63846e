#include "leanrt/data/zip_archive.h"

#include <algorithm>
#include <cstring>

namespace leanrt::data {
namespace {

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kEndSignature = 0x06054b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr size_t kEndBytes = 22;
constexpr size_t kZip64LocatorBytes = 20;
constexpr size_t kZip64EndBytes = 56;
constexpr size_t kCentralHeaderBytes = 46;
constexpr size_t kLocalHeaderBytes = 30;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint32_t kZip64Marker32 = 0xffffffff;
constexpr uint16_t kEncryptedFlag = 0x0001;

// Little-endian reads from a bounds-checked window of the archive.
class Reader {
 public:
  Reader(const std::byte* data, size_t size) : data_(data), size_(size) {}
  bool has(uint64_t offset, uint64_t bytes) const { return offset <= size_ && bytes <= size_ - offset; }
  uint64_t read(uint64_t offset, int bytes) const {
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= static_cast<uint64_t>(data_[offset + i]) << (8 * i);
    return value;
  }
  uint16_t u16(uint64_t offset) const { return static_cast<uint16_t>(read(offset, 2)); }
  uint32_t u32(uint64_t offset) const { return static_cast<uint32_t>(read(offset, 4)); }
  uint64_t u64(uint64_t offset) const { return read(offset, 8); }
  size_t size() const { return size_; }
  const char* chars(uint64_t offset) const { return reinterpret_cast<const char*>(data_ + offset); }

 private:
  const std::byte* data_;
  size_t size_;
};

struct CentralDirectory {
  uint64_t offset = 0;
  uint64_t bytes = 0;
  uint64_t entries = 0;
};

// The end record sits in the last 22 + 65535 (comment) bytes; the last
// signature found wins, as in every zip reader.
Expected<CentralDirectory> find_central_directory(const Reader& zip, const std::string& path) {
  if (zip.size() < kEndBytes)
    return invalid_argument("{}: not a zip archive (.npz): expected at least {} bytes, found {}", path, kEndBytes,
                            zip.size());
  const uint64_t lowest = zip.size() >= kEndBytes + 0xffff ? zip.size() - kEndBytes - 0xffff : 0;
  for (uint64_t at = zip.size() - kEndBytes + 1; at-- > lowest;) {
    if (zip.u32(at) != kEndSignature) continue;
    CentralDirectory directory{zip.u32(at + 16), zip.u32(at + 12), zip.u16(at + 10)};
    const bool zip64 = directory.offset == kZip64Marker32 || directory.bytes == kZip64Marker32 ||
                       directory.entries == 0xffff;
    if (at >= kZip64LocatorBytes && zip.u32(at - kZip64LocatorBytes) == kZip64LocatorSignature) {
      const uint64_t record = zip.u64(at - kZip64LocatorBytes + 8);
      if (!zip.has(record, kZip64EndBytes) || zip.u32(record) != kZip64EndSignature)
        return invalid_argument("{}: corrupt zip64 end record: expected it at byte {}, found none", path, record);
      directory = {zip.u64(record + 48), zip.u64(record + 40), zip.u64(record + 32)};
    } else if (zip64) {
      return invalid_argument("{}: zip64 archive without its zip64 end record (truncated?)", path);
    }
    if (!zip.has(directory.offset, directory.bytes))
      return invalid_argument("{}: truncated zip archive: central directory at byte {} needs {} bytes, file has {}",
                              path, directory.offset, directory.bytes, zip.size());
    return directory;
  }
  return invalid_argument("{}: not a zip archive (.npz): expected an end-of-central-directory record, found none",
                          path);
}

// The zip64 extra field holds, in this order, whichever of uncompressed size,
// compressed size and local header offset were too large for 32 bits.
Status apply_zip64_extra(const Reader& zip, uint64_t extra, uint64_t extra_bytes, ZipMember& member,
                         uint64_t& local_offset, const std::string& path) {
  const uint64_t end = extra + extra_bytes;
  for (uint64_t field = extra; field + 4 <= end;) {
    const uint16_t id = zip.u16(field);
    const uint64_t body = field + 4;
    const uint64_t body_end = body + zip.u16(field + 2);
    if (body_end > end) break;
    if (id == kZip64ExtraId) {
      uint64_t cursor = body;
      auto take = [&](uint64_t& value) {
        if (value != kZip64Marker32) return true;
        if (cursor + 8 > body_end) return false;
        value = zip.u64(cursor);
        cursor += 8;
        return true;
      };
      if (!take(member.uncompressed_bytes) || !take(member.compressed_bytes) || !take(local_offset))
        return invalid_argument("{}: member \"{}\": zip64 extra field too short", path, member.name);
    }
    field = body_end;
  }
  return Status::ok();
}

}  // namespace

bool looks_like_zip(const std::byte* data, size_t size) {
  return size >= 4 && Reader(data, size).u32(0) == kLocalHeaderSignature;
}

Expected<std::vector<ZipMember>> list_zip_members(const std::byte* data, size_t size, const std::string& path) {
  const Reader zip(data, size);
  LEANRT_ASSIGN_OR_RETURN(CentralDirectory directory, find_central_directory(zip, path));
  std::vector<ZipMember> members;
  uint64_t at = directory.offset;
  for (uint64_t entry = 0; entry < directory.entries; ++entry) {
    if (!zip.has(at, kCentralHeaderBytes) || zip.u32(at) != kCentralHeaderSignature)
      return invalid_argument("{}: corrupt zip central directory: expected entry {} at byte {}, found none", path,
                              entry, at);
    const uint16_t flags = zip.u16(at + 8);
    const uint16_t method = zip.u16(at + 10);
    const uint16_t name_bytes = zip.u16(at + 28);
    const uint16_t extra_bytes = zip.u16(at + 30);
    const uint16_t comment_bytes = zip.u16(at + 32);
    if (!zip.has(at + kCentralHeaderBytes, uint64_t{name_bytes} + extra_bytes + comment_bytes))
      return invalid_argument("{}: truncated zip central directory at entry {}", path, entry);
    ZipMember member;
    member.name.assign(zip.chars(at + kCentralHeaderBytes), name_bytes);
    member.crc32 = zip.u32(at + 16);
    member.compressed_bytes = zip.u32(at + 20);
    member.uncompressed_bytes = zip.u32(at + 24);
    uint64_t local_offset = zip.u32(at + 42);
    LEANRT_RETURN_IF_ERROR(
        apply_zip64_extra(zip, at + kCentralHeaderBytes + name_bytes, extra_bytes, member, local_offset, path));
    if (flags & kEncryptedFlag)
      return unsupported("{}: member \"{}\" is encrypted: expected a plain np.savez archive", path, member.name);
    if (method != static_cast<uint16_t>(ZipMethod::kStored) && method != static_cast<uint16_t>(ZipMethod::kDeflated))
      return unsupported("{}: member \"{}\": expected compression stored (0) or deflate (8), found method {}", path,
                         member.name, method);
    member.method = static_cast<ZipMethod>(method);
    // The data follows the local header, whose name and extra lengths may
    // differ from the central directory's (numpy's local headers carry a
    // zip64 extra field the central one often does not).
    if (!zip.has(local_offset, kLocalHeaderBytes) || zip.u32(local_offset) != kLocalHeaderSignature)
      return invalid_argument("{}: member \"{}\": expected a local header at byte {}, found none (truncated?)", path,
                              member.name, local_offset);
    member.data_offset = local_offset + kLocalHeaderBytes + zip.u16(local_offset + 26) + zip.u16(local_offset + 28);
    if (!zip.has(member.data_offset, member.compressed_bytes))
      return invalid_argument("{}: truncated zip archive: member \"{}\" needs {} bytes at byte {}, file has {}", path,
                              member.name, member.compressed_bytes, member.data_offset, size);
    members.push_back(std::move(member));
    at += kCentralHeaderBytes + name_bytes + extra_bytes + comment_bytes;
  }
  return members;
}

}  // namespace leanrt::data
