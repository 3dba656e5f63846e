// The TF.js weights manifest: groups of weights laid end to end across the
// group's shard files.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "leanrt/base/dtype.h"
#include "leanrt/base/mapped_file.h"
#include "leanrt/base/shape.h"

namespace leanrt::importer {

struct TfjsWeight {
  DType dtype = DType::kInvalid;
  Shape shape;
  ConstBytes bytes;
};

// Reads every weight of every group. `directory` is where model.json lives
// (shard paths are relative to it); `source` names model.json in messages.
Expected<std::map<std::string, TfjsWeight>> read_weights_manifest(const nlohmann::json& manifest,
                                                                  const std::string& directory,
                                                                  const std::string& source);

}  // namespace leanrt::importer
