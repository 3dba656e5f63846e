// A TensorFlow tensor bundle (checkpoint): PREFIX.index, a LevelDB table of
// name -> BundleEntryProto, and the data shards PREFIX.data-SSSSS-of-NNNNN
// holding each tensor's raw little-endian bytes.
//
//   LEANRT_ASSIGN_OR_RETURN(TensorBundle bundle, TensorBundle::open("saved/variables/variables"));
//   LEANRT_ASSIGN_OR_RETURN(BundleTensor kernel, bundle.read("dense/kernel"));
//
// Tensors are views of the memory-mapped shard when their offset suits their
// dtype's alignment (the weights then live once, as file pages); otherwise a
// copy. Every read checks the entry's size and CRC-32C against the shard.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "leanrt/base/dtype.h"
#include "leanrt/base/mapped_file.h"
#include "leanrt/base/shape.h"

namespace leanrt::importer {

struct BundleTensor {
  DType dtype = DType::kInvalid;
  Shape shape;
  ConstBytes bytes;
};

class TensorBundle {
 public:
  // `prefix` is the path without ".index"; errors name the .index file.
  static Expected<TensorBundle> open(const std::string& prefix);

  bool contains(const std::string& key) const { return entries_.count(key) != 0; }
  // Every key except the header's, sorted; for messages listing what exists.
  std::vector<std::string> keys() const;
  const std::string& index_path() const { return index_path_; }

  Expected<BundleTensor> read(const std::string& key) const;
  // A DT_STRING tensor's elements (e.g. the TF2 object graph).
  Expected<std::vector<std::string>> read_strings(const std::string& key) const;

 private:
  struct Entry {
    int tf_dtype = 0;  // TensorFlow DataType enum
    Shape shape;
    int shard_id = 0;
    uint64_t offset = 0;
    uint64_t size_bytes = 0;
    uint32_t masked_crc = 0;
    bool partitioned = false;
  };
  Expected<const Entry*> find(const std::string& key) const;
  // The stored bytes of an entry, bounds-checked and (for plain tensors,
  // whose CRC covers exactly these bytes) checksum-checked.
  Expected<const std::byte*> stored_bytes(const std::string& key, const Entry& entry,
                                          std::shared_ptr<MappedFile>* shard, bool check_crc) const;
  Expected<const std::byte*> check_checksum(const std::string& key, const Entry& entry, uint32_t computed,
                                            const std::string& shard_path, const std::byte* bytes) const;
  Expected<std::shared_ptr<MappedFile>> shard(int shard_id) const;
  std::string shard_path(int shard_id) const;

  std::string prefix_;
  std::string index_path_;
  int num_shards_ = 1;
  std::map<std::string, Entry> entries_;
  // Opened on first use; a bundle is read by one importer thread.
  mutable std::vector<std::shared_ptr<MappedFile>> shards_;
};

}  // namespace leanrt::importer
