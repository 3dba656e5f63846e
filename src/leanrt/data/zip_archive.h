// The member table of a zip archive (what np.savez / np.savez_compressed
// write), read from its central directory, zip64 included. Only the layout is
// read here; members are read in place by the caller (stored members are
// plain bytes in the mapped file, deflated ones go through zlib's inflate).
//
//   LEANRT_ASSIGN_OR_RETURN(std::vector<ZipMember> members, list_zip_members(bytes, size, "data.npz"));
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "leanrt/base/status.h"

namespace leanrt::data {

enum class ZipMethod : uint16_t { kStored = 0, kDeflated = 8 };

struct ZipMember {
  std::string name;
  ZipMethod method = ZipMethod::kStored;
  uint64_t data_offset = 0;  // from the archive start to the member's (compressed) bytes
  uint64_t compressed_bytes = 0;
  uint64_t uncompressed_bytes = 0;
  uint32_t crc32 = 0;
};

// Every member, in central-directory order. Fails, naming `path`, on a
// truncated or inconsistent archive, on encryption and on methods other than
// stored and deflate.
Expected<std::vector<ZipMember>> list_zip_members(const std::byte* data, size_t size, const std::string& path);

// True when the bytes start like a zip archive (a local file header).
bool looks_like_zip(const std::byte* data, size_t size);

}  // namespace leanrt::data
