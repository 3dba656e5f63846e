// Reads a LevelDB-format table (SSTable), the format of TensorFlow's tensor
// bundle index (variables.index, model.index).
//
//   LEANRT_ASSIGN_OR_RETURN(auto file, MappedFile::open("variables/variables.index"));
//   LEANRT_ASSIGN_OR_RETURN(std::vector<SstableEntry> entries, read_sstable(*file));
//
// Layout: data blocks, a metaindex block, an index block (one entry per data
// block: last key -> block handle) and a 48-byte footer ending in the magic
// number. Each block is followed by a type byte (0 raw, 1 Snappy) and the
// masked CRC-32C of the stored bytes plus that type byte; every CRC is
// checked. Errors name the file and the byte offset.
#pragma once

#include <string>
#include <vector>

#include "leanrt/base/mapped_file.h"

namespace leanrt::importer {

struct SstableEntry {
  std::string key;
  std::string value;
};

// Every entry of the table, in key order.
Expected<std::vector<SstableEntry>> read_sstable(const MappedFile& file);

}  // namespace leanrt::importer
