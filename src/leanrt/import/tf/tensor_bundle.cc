#include "leanrt/import/tf/tensor_bundle.h"


#include "leanrt/import/tf/crc32c.h"
#include "leanrt/import/tf/proto/tf_graph.pb.h"
#include "leanrt/import/tf/proto_io.h"
#include "leanrt/import/tf/sstable.h"
#include "leanrt/import/tf/tensor_size.h"

namespace leanrt::importer {
namespace {

Expected<Shape> entry_shape(const tfproto::TensorShapeProto& proto) {
  Shape shape;
  for (const auto& dim : proto.dim()) {
    if (dim.size() < 0) return invalid_model("shape dim {} is unknown", dim.size());
    shape.push_back(dim.size());
  }
  return shape;
}

std::string tf_dtype_name(int tf_dtype) {
  return tfproto::DataType_IsValid(tf_dtype) ? tfproto::DataType_Name(static_cast<tfproto::DataType>(tf_dtype))
                                             : fmt::format("DataType {}", tf_dtype);
}

}  // namespace

Expected<TensorBundle> TensorBundle::open(const std::string& prefix) {
  TensorBundle bundle;
  bundle.prefix_ = prefix;
  bundle.index_path_ = prefix + ".index";
  LEANRT_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> index, MappedFile::open(bundle.index_path_));
  LEANRT_ASSIGN_OR_RETURN(std::vector<SstableEntry> table, read_sstable(*index));
  bool has_header = false;
  for (const SstableEntry& row : table) {
    if (row.key.empty()) {  // the header sorts first, under the empty key
      tfproto::BundleHeaderProto header;
      if (Status parsed = parse_proto_bytes(row.value, header, "BundleHeaderProto"); !parsed)
        return parsed.with_context(fmt::format("{}: the bundle header", bundle.index_path_));
      if (header.endianness() != tfproto::BundleHeaderProto::LITTLE)
        return unsupported("{}: the bundle is big-endian; leanrt reads little-endian bundles", bundle.index_path_);
      bundle.num_shards_ = header.num_shards();
      has_header = true;
      continue;
    }
    tfproto::BundleEntryProto proto;
    if (Status parsed = parse_proto_bytes(row.value, proto, "BundleEntryProto"); !parsed)
      return parsed.with_context(fmt::format("{}: entry \"{}\"", bundle.index_path_, row.key));
    auto shape = entry_shape(proto.shape());
    if (!shape) return shape.status().with_context(fmt::format("{}: entry \"{}\"", bundle.index_path_, row.key));
    Entry entry;
    entry.tf_dtype = proto.dtype();
    entry.shape = std::move(*shape);
    entry.shard_id = proto.shard_id();
    entry.offset = static_cast<uint64_t>(proto.offset());
    entry.size_bytes = static_cast<uint64_t>(proto.size());
    entry.masked_crc = proto.crc32c();
    entry.partitioned = proto.slices_size() > 0;
    if (proto.offset() < 0 || proto.size() < 0)
      return invalid_model("{}: entry \"{}\" has offset {} and size {}: expected non-negative", bundle.index_path_,
                           row.key, proto.offset(), proto.size());
    bundle.entries_.emplace(row.key, std::move(entry));
  }
  if (!has_header)
    return invalid_model("{}: no bundle header (the entry under the empty key): not a tensor bundle index",
                         bundle.index_path_);
  if (bundle.num_shards_ < 1 || bundle.num_shards_ > 100000)
    return invalid_model("{}: the header says {} data shards, expected 1 or more", bundle.index_path_,
                         bundle.num_shards_);
  bundle.shards_.resize(static_cast<size_t>(bundle.num_shards_));
  return bundle;
}

std::vector<std::string> TensorBundle::keys() const {
  std::vector<std::string> names;
  for (const auto& [key, entry] : entries_) names.push_back(key);
  return names;
}

std::string TensorBundle::shard_path(int shard_id) const {
  return fmt::format("{}.data-{:05d}-of-{:05d}", prefix_, shard_id, num_shards_);
}

Expected<std::shared_ptr<MappedFile>> TensorBundle::shard(int shard_id) const {
  if (shard_id < 0 || shard_id >= num_shards_)
    return invalid_model("{}: shard {} does not exist: the bundle has {} shard(s)", index_path_, shard_id, num_shards_);
  auto& slot = shards_[static_cast<size_t>(shard_id)];
  if (!slot) {
    auto file = MappedFile::open(shard_path(shard_id));
    if (!file) return file.status().with_context(fmt::format("{}: data shard {}", index_path_, shard_id));
    slot = *file;
  }
  return slot;
}

Expected<const TensorBundle::Entry*> TensorBundle::find(const std::string& key) const {
  auto found = entries_.find(key);
  if (found == entries_.end())
    return invalid_model("{}: no entry \"{}\" ({} entries)", index_path_, key, entries_.size());
  if (found->second.partitioned)
    return unsupported("{}: entry \"{}\" is a partitioned variable (stored in slices): leanrt does not support it yet",
                       index_path_, key);
  return &found->second;
}

Expected<const std::byte*> TensorBundle::stored_bytes(const std::string& key, const Entry& entry,
                                                      std::shared_ptr<MappedFile>* shard_file,
                                                      bool check_crc) const {
  LEANRT_ASSIGN_OR_RETURN(*shard_file, shard(entry.shard_id));
  const MappedFile& file = **shard_file;
  if (entry.offset > file.size_bytes() || entry.size_bytes > file.size_bytes() - entry.offset)
    return invalid_model("{}: tensor \"{}\" needs bytes [{}, {}) but the shard has {} bytes (truncated?)", file.path(),
                         key, entry.offset, entry.offset + entry.size_bytes, file.size_bytes());
  const std::byte* bytes = file.data() + entry.offset;
  if (!check_crc) return bytes;
  return check_checksum(key, entry, crc32c::mask(crc32c::value(bytes, entry.size_bytes)), file.path(), bytes);
}

Expected<const std::byte*> TensorBundle::check_checksum(const std::string& key, const Entry& entry,
                                                        uint32_t computed, const std::string& shard_path,
                                                        const std::byte* bytes) const {
  if (computed != entry.masked_crc)
    return invalid_model("{}: tensor \"{}\" (bytes [{}, {})) fails its checksum: expected crc32c {:#010x} from {}, "
                         "found {:#010x} (the shard is corrupt or does not belong to this index)",
                         shard_path, key, entry.offset, entry.offset + entry.size_bytes, entry.masked_crc,
                         index_path_, computed);
  return bytes;
}

Expected<BundleTensor> TensorBundle::read(const std::string& key) const {
  LEANRT_ASSIGN_OR_RETURN(const Entry* entry, find(key));
  auto dtype = dtype_from_tf_enum(entry->tf_dtype);
  if (!dtype || dtype_size(*dtype) == 0)
    return unsupported("{}: tensor \"{}\" has dtype {}: leanrt does not support it yet", index_path_, key,
                       tf_dtype_name(entry->tf_dtype));
  const auto expected_bytes = checked_byte_size(entry->shape, dtype_size(*dtype), UINT64_MAX >> 1);
  if (!expected_bytes || entry->size_bytes != *expected_bytes)
    return invalid_model("{}: tensor \"{}\" {} {}: expected {} bytes, the entry says {}", index_path_, key,
                         shape_string(entry->shape), dtype_name(*dtype), expected_bytes.value_or(0), entry->size_bytes);
  std::shared_ptr<MappedFile> file;
  LEANRT_ASSIGN_OR_RETURN(const std::byte* bytes, stored_bytes(key, *entry, &file, true));
  BundleTensor tensor{*dtype, entry->shape, {}};
  if (entry->size_bytes > 0 && entry->offset % dtype_size(*dtype) == 0) {
    tensor.bytes = ConstBytes::view_of(file, entry->offset, entry->size_bytes);
  } else {
    tensor.bytes = ConstBytes::copy_of(bytes, entry->size_bytes);
    file->release_pages(entry->offset, entry->size_bytes);  // the copy is what is kept
  }
  return tensor;
}

Expected<std::vector<std::string>> TensorBundle::read_strings(const std::string& key) const {
  LEANRT_ASSIGN_OR_RETURN(const Entry* entry, find(key));
  if (entry->tf_dtype != tfproto::DT_STRING)
    return invalid_model("{}: tensor \"{}\": expected DT_STRING, found {}", index_path_, key,
                         tf_dtype_name(entry->tf_dtype));
  std::shared_ptr<MappedFile> file;
  LEANRT_ASSIGN_OR_RETURN(const std::byte* bytes, stored_bytes(key, *entry, &file, false));
  // Layout: a varint64 length per element, a 4-byte checksum of the
  // lengths, then the elements' bytes back to back. The entry's CRC runs
  // over each length as a 4-byte little-endian integer, the lengths'
  // checksum, then the bytes (TensorFlow's WriteStringTensor).
  const auto* data = reinterpret_cast<const uint8_t*>(bytes);
  const size_t size = entry->size_bytes;
  // Each element takes at least one length byte, which bounds the count.
  const auto count_bound = checked_byte_size(entry->shape, 1, entry->size_bytes);
  if (!count_bound)
    return invalid_model("{}: string tensor \"{}\" of shape {} cannot fit in {} bytes", index_path_, key,
                         shape_string(entry->shape), entry->size_bytes);
  const uint64_t count = *count_bound;
  size_t at = 0;
  std::vector<uint64_t> lengths;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t length = 0;
    int shift = 0;
    while (true) {
      if (at >= size || shift > 63)
        return invalid_model("{}: string tensor \"{}\": element {} length is malformed", index_path_, key, i);
      const uint8_t byte = data[at++];
      length |= static_cast<uint64_t>(byte & 0x7fu) << shift;
      shift += 7;
      if ((byte & 0x80u) == 0) break;
    }
    lengths.push_back(length);
  }
  uint32_t crc = 0;
  for (uint64_t length : lengths) {
    const uint32_t length_u32 = static_cast<uint32_t>(length);
    crc = crc32c::extend(crc, &length_u32, 4);
  }
  if (at + 4 > size) return invalid_model("{}: string tensor \"{}\" is cut short", index_path_, key);
  crc = crc32c::extend(crc, data + at, 4);
  at += 4;
  std::vector<std::string> strings;
  for (uint64_t length : lengths) {
    if (at > size || length > size - at)
      return invalid_model("{}: string tensor \"{}\" needs {} more bytes than its {} stored", index_path_, key,
                           length, size);
    strings.emplace_back(reinterpret_cast<const char*>(data + at), length);
    crc = crc32c::extend(crc, data + at, length);
    at += length;
  }
  LEANRT_RETURN_IF_ERROR(check_checksum(key, *entry, crc32c::mask(crc), file->path(), bytes).status());
  return strings;
}

}  // namespace leanrt::importer
