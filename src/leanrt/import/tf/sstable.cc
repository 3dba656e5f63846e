#include "leanrt/import/tf/sstable.h"

#include <snappy.h>

#include <cstring>
#include <string_view>

#include "leanrt/import/tf/crc32c.h"

namespace leanrt::importer {
namespace {

constexpr uint64_t kTableMagic = 0xdb4775248b80fb57ull;
constexpr size_t kFooterBytes = 48;
constexpr size_t kBlockTrailerBytes = 5;  // type byte + masked CRC
// Index blocks are kilobytes; a claimed size far beyond that is corruption,
// not a reason to allocate.
constexpr size_t kMaxBlockBytes = size_t{256} << 20;

// A cursor over bytes that never reads past the end.
class ByteReader {
 public:
  ByteReader(std::string_view bytes) : bytes_(bytes) {}
  bool varint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (at_ >= bytes_.size()) return false;
      const uint8_t byte = static_cast<uint8_t>(bytes_[at_++]);
      value |= static_cast<uint64_t>(byte & 0x7fu) << shift;
      if ((byte & 0x80u) == 0) return true;
    }
    return false;
  }
  bool take(size_t count, std::string_view& out) {
    if (count > bytes_.size() - at_) return false;
    out = bytes_.substr(at_, count);
    at_ += count;
    return true;
  }
  size_t position() const { return at_; }

 private:
  std::string_view bytes_;
  size_t at_ = 0;
};

uint32_t load_u32(const char* data) {
  uint32_t value;
  std::memcpy(&value, data, 4);
  return value;
}

struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;
};

bool read_handle(ByteReader& reader, BlockHandle& handle) {
  return reader.varint(handle.offset) && reader.varint(handle.size);
}

class TableReader {
 public:
  explicit TableReader(const MappedFile& file)
      : file_(file), bytes_(reinterpret_cast<const char*>(file.data()), file.size_bytes()) {}

  Expected<std::vector<SstableEntry>> read_all() {
    LEANRT_ASSIGN_OR_RETURN(BlockHandle index_handle, read_footer());
    LEANRT_ASSIGN_OR_RETURN(std::string index_block, read_block(index_handle, "index block"));
    LEANRT_ASSIGN_OR_RETURN(std::vector<SstableEntry> index_entries, parse_block(index_block, index_handle.offset));
    std::vector<SstableEntry> entries;
    for (const SstableEntry& index_entry : index_entries) {
      ByteReader reader(index_entry.value);
      BlockHandle data_handle;
      if (!read_handle(reader, data_handle))
        return corrupt(index_handle.offset, "an index entry holds no valid block handle");
      LEANRT_ASSIGN_OR_RETURN(std::string block, read_block(data_handle, "data block"));
      LEANRT_ASSIGN_OR_RETURN(std::vector<SstableEntry> block_entries, parse_block(block, data_handle.offset));
      for (SstableEntry& entry : block_entries) entries.push_back(std::move(entry));
    }
    return entries;
  }

 private:
  template <typename... Args>
  Status corrupt(uint64_t offset, fmt::format_string<Args...> format, Args&&... args) const {
    return invalid_model("{}: corrupt table at byte {}: {}", file_.path(), offset,
                         fmt::format(format, std::forward<Args>(args)...));
  }

  Expected<BlockHandle> read_footer() const {
    if (bytes_.size() < kFooterBytes)
      return invalid_model("{}: {} bytes, expected at least the {}-byte table footer (truncated?)", file_.path(),
                           bytes_.size(), kFooterBytes);
    const size_t footer_at = bytes_.size() - kFooterBytes;
    uint64_t magic;
    std::memcpy(&magic, bytes_.data() + bytes_.size() - 8, 8);
    if (magic != kTableMagic)
      return invalid_model("{}: no table magic number at the end (found {:#018x}, expected {:#018x}): truncated or "
                           "not a tensor bundle index",
                           file_.path(), magic, kTableMagic);
    ByteReader reader(bytes_.substr(footer_at, kFooterBytes - 8));
    BlockHandle metaindex, index;
    if (!read_handle(reader, metaindex) || !read_handle(reader, index))
      return corrupt(footer_at, "the footer holds no valid block handles");
    return index;
  }

  Expected<std::string> read_block(const BlockHandle& handle, std::string_view what) const {
    const size_t limit = bytes_.size() - kFooterBytes;
    if (handle.offset > limit || handle.size > limit - handle.offset ||
        handle.size + kBlockTrailerBytes > limit - handle.offset)
      return corrupt(handle.offset, "{} of {} bytes (+{} trailer) runs past the end of the data ({} bytes)", what,
                     handle.size, kBlockTrailerBytes, limit);
    const char* stored = bytes_.data() + handle.offset;
    const uint8_t type = static_cast<uint8_t>(stored[handle.size]);
    const uint32_t stored_crc = load_u32(stored + handle.size + 1);
    const uint32_t actual_crc = crc32c::mask(crc32c::value(stored, handle.size + 1));  // covers the type byte
    if (stored_crc != actual_crc)
      return corrupt(handle.offset, "{} checksum mismatch: stored {:#010x}, computed {:#010x}", what, stored_crc,
                     actual_crc);
    if (type == 0) return std::string(stored, handle.size);
    if (type != 1) return corrupt(handle.offset, "{} has compression type {}, expected 0 (none) or 1 (Snappy)", what, type);
    size_t uncompressed_bytes = 0;
    if (!snappy::GetUncompressedLength(stored, handle.size, &uncompressed_bytes) || uncompressed_bytes > kMaxBlockBytes)
      return corrupt(handle.offset, "{} is not valid Snappy data", what);
    std::string block(uncompressed_bytes, '\0');
    if (!snappy::RawUncompress(stored, handle.size, block.data()))
      return corrupt(handle.offset, "{} is not valid Snappy data", what);
    return block;
  }

  // Entries share key prefixes with their predecessor; restart points
  // (where a full key is stored) are listed at the block's end.
  Expected<std::vector<SstableEntry>> parse_block(const std::string& block, uint64_t block_offset) const {
    if (block.size() < 4) return corrupt(block_offset, "block of {} bytes has no restart count", block.size());
    const uint32_t restarts = load_u32(block.data() + block.size() - 4);
    if (restarts > (block.size() - 4) / 4)
      return corrupt(block_offset, "block claims {} restart points in {} bytes", restarts, block.size());
    const size_t entries_end = block.size() - 4 - 4 * static_cast<size_t>(restarts);
    ByteReader reader(std::string_view(block).substr(0, entries_end));
    std::vector<SstableEntry> entries;
    std::string key;
    while (reader.position() < entries_end) {
      uint64_t shared = 0, unshared = 0, value_bytes = 0;
      std::string_view key_delta, value;
      if (!reader.varint(shared) || !reader.varint(unshared) || !reader.varint(value_bytes) || shared > key.size() ||
          !reader.take(unshared, key_delta) || !reader.take(value_bytes, value))
        return corrupt(block_offset, "block entry {} is malformed", entries.size());
      key.resize(shared);
      key.append(key_delta);
      entries.push_back({key, std::string(value)});
    }
    return entries;
  }

  const MappedFile& file_;
  std::string_view bytes_;
};

}  // namespace

Expected<std::vector<SstableEntry>> read_sstable(const MappedFile& file) { return TableReader(file).read_all(); }

}  // namespace leanrt::importer
