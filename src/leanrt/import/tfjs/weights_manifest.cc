#include "leanrt/import/tfjs/weights_manifest.h"

#include <cmath>
#include <cstring>

#include "leanrt/base/half.h"

namespace leanrt::importer {
namespace {

using nlohmann::json;

// A group's shards seen as one byte range, as TF.js concatenates them.
class ShardedBytes {
 public:
  Status add(std::shared_ptr<MappedFile> file) {
    starts_.push_back(total_);
    total_ += file->size_bytes();
    files_.push_back(std::move(file));
    return Status::ok();
  }
  size_t total() const { return total_; }

  // A zero-copy view when [offset, offset + bytes) lies in one shard at an
  // offset aligned for `alignment`; nullopt otherwise.
  std::optional<ConstBytes> view(size_t offset, size_t bytes, size_t alignment) const {
    for (size_t i = 0; i < files_.size(); ++i) {
      size_t local = offset - starts_[i];
      if (offset >= starts_[i] && local + bytes <= files_[i]->size_bytes()) {
        if (bytes == 0 || local % alignment != 0) return std::nullopt;
        return ConstBytes::view_of(files_[i], local, bytes);
      }
    }
    return std::nullopt;
  }

  // Copies [offset, offset + bytes) out of the shards, then releases the
  // mapped pages that lay wholly inside it: the copy is what the graph
  // keeps, so those pages would only be resident twice.
  void copy(size_t offset, size_t bytes, std::byte* out) const {
    for (size_t i = 0; i < files_.size() && bytes > 0; ++i) {
      const size_t start = starts_[i], end = starts_[i] + files_[i]->size_bytes();
      if (offset >= end) continue;
      const size_t take = std::min(bytes, end - offset);
      std::memcpy(out, files_[i]->data() + (offset - start), take);
      files_[i]->release_pages(offset - start, take);
      out += take;
      offset += take;
      bytes -= take;
    }
  }

  // "a.bin (100 bytes), b.bin (20 bytes)"
  std::string describe() const {
    std::string text;
    for (const auto& file : files_)
      text += fmt::format("{}{} ({} bytes)", text.empty() ? "" : ", ", file->path(), file->size_bytes());
    return text;
  }

 private:
  std::vector<std::shared_ptr<MappedFile>> files_;
  std::vector<size_t> starts_;
  size_t total_ = 0;
};

struct Quantization {
  DType stored = DType::kInvalid;  // kU8, kU16 or kF16
  double scale = 1.0, min = 0.0;
};

Expected<TfjsWeight> decode_weight(const json& entry, const ShardedBytes& shards, size_t& offset,
                                   const std::string& source) {
  const std::string name = entry.value("name", "");
  TfjsWeight weight;
  auto dtype = dtype_from_name(entry.value("dtype", ""));
  if (!dtype || (*dtype != DType::kF32 && *dtype != DType::kI32 && *dtype != DType::kBool))
    return unsupported("{}: weight \"{}\": dtype \"{}\" is not supported (float32, int32, bool)", source, name,
                       entry.value("dtype", ""));
  weight.dtype = *dtype;
  if (!entry.contains("shape") || !entry["shape"].is_array())
    return invalid_model("{}: weight \"{}\": expected a shape array", source, name);
  for (const json& dim : entry["shape"]) {
    if (!dim.is_number_integer() || dim.get<int64_t>() < 0)
      return invalid_model("{}: weight \"{}\": shape entry {} is not a size", source, name, dim.dump());
    weight.shape.push_back(dim.get<int64_t>());
  }
  const size_t count = static_cast<size_t>(num_elements(weight.shape));
  std::optional<Quantization> quantization;
  if (entry.contains("quantization")) {
    const json& q = entry["quantization"];
    Quantization parsed;
    const std::string stored = q.value("dtype", "");
    if (stored == "uint8") parsed.stored = DType::kU8;
    else if (stored == "uint16") parsed.stored = DType::kU16;
    else if (stored == "float16") parsed.stored = DType::kF16;
    else return unsupported("{}: weight \"{}\": quantization dtype \"{}\" is not supported", source, name, stored);
    if (parsed.stored != DType::kF16) {
      if (!q.contains("scale") || !q.contains("min") || !q["scale"].is_number() || !q["min"].is_number())
        return invalid_model("{}: weight \"{}\": {} quantization needs numeric scale and min", source, name, stored);
      parsed.scale = q["scale"].get<double>();
      parsed.min = q["min"].get<double>();
    }
    quantization = parsed;
  }
  const size_t stored_bytes = count * dtype_size(quantization ? quantization->stored : weight.dtype);
  if (offset + stored_bytes > shards.total())
    return invalid_model(
        "{}: weight \"{}\" needs bytes [{}, {}) of its weight group, but the shards hold {} bytes: {} (a shard is "
        "missing bytes or truncated)",
        source, name, offset, offset + stored_bytes, shards.total(), shards.describe());
  const size_t start = offset;
  offset += stored_bytes;
  if (!quantization) {
    if (auto view = shards.view(start, stored_bytes, dtype_size(weight.dtype))) {
      weight.bytes = *view;
      return weight;
    }
    AlignedBuffer buffer(stored_bytes);
    shards.copy(start, stored_bytes, buffer.data());
    weight.bytes = ConstBytes::own(std::move(buffer));
    return weight;
  }
  // Dequantize into the original dtype, as TF.js's io.decodeWeights does.
  AlignedBuffer raw(stored_bytes);
  shards.copy(start, stored_bytes, raw.data());
  AlignedBuffer values(count * dtype_size(weight.dtype));
  for (size_t i = 0; i < count; ++i) {
    double value = 0.0;
    switch (quantization->stored) {
      case DType::kU8: value = reinterpret_cast<const uint8_t*>(raw.data())[i] * quantization->scale + quantization->min; break;
      case DType::kU16: {
        uint16_t q;
        std::memcpy(&q, raw.data() + 2 * i, 2);
        value = q * quantization->scale + quantization->min;
        break;
      }
      default: {
        uint16_t bits;
        std::memcpy(&bits, raw.data() + 2 * i, 2);
        value = half_to_float(bits);
      }
    }
    if (weight.dtype == DType::kF32) reinterpret_cast<float*>(values.data())[i] = static_cast<float>(value);
    else if (weight.dtype == DType::kI32) reinterpret_cast<int32_t*>(values.data())[i] = static_cast<int32_t>(std::round(value));
    else reinterpret_cast<bool*>(values.data())[i] = value != 0.0;
  }
  weight.bytes = ConstBytes::own(std::move(values));
  return weight;
}

}  // namespace

Expected<std::map<std::string, TfjsWeight>> read_weights_manifest(const json& manifest, const std::string& directory,
                                                                  const std::string& source) {
  std::map<std::string, TfjsWeight> weights;
  if (!manifest.is_array()) return invalid_model("{}: weightsManifest: expected an array", source);
  for (size_t g = 0; g < manifest.size(); ++g) {
    const json& group = manifest[g];
    if (!group.is_object() || !group.contains("paths") || !group["paths"].is_array() || !group.contains("weights") ||
        !group["weights"].is_array())
      return invalid_model("{}: weightsManifest[{}]: expected {{\"paths\": [...], \"weights\": [...]}}", source, g);
    ShardedBytes shards;
    for (const json& path : group["paths"]) {
      if (!path.is_string()) return invalid_model("{}: weightsManifest[{}].paths: expected strings", source, g);
      std::string shard_path = directory + "/" + path.get<std::string>();
      auto file = MappedFile::open(shard_path);
      if (!file)
        return file.status().with_context(fmt::format("{}: weight shard \"{}\" of group {}", source, path.get<std::string>(), g));
      LEANRT_RETURN_IF_ERROR(shards.add(*file));
    }
    size_t offset = 0;
    for (const json& entry : group["weights"]) {
      if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string())
        return invalid_model("{}: weightsManifest[{}]: a weight entry has no name", source, g);
      LEANRT_ASSIGN_OR_RETURN(TfjsWeight weight, decode_weight(entry, shards, offset, source));
      weights[entry["name"].get<std::string>()] = std::move(weight);
    }
  }
  return weights;
}

}  // namespace leanrt::importer
