// Writes small TensorFlow files for tests: tensor bundles (an uncompressed
// LevelDB table + one data shard), SavedModels and GraphDefs, built from our
// own protobuf schema. Independent of the reader except for the CRC.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "leanrt/import/tf/proto/tf_graph.pb.h"

namespace leanrt::testing {

struct BundleTensorSpec {
  std::string key;
  tfproto::DataType dtype = tfproto::DT_FLOAT;
  std::vector<int64_t> shape;
  std::string bytes;  // raw little-endian values
};

// Writes PREFIX.index and PREFIX.data-00000-of-00001. Each tensor starts at
// an offset aligned to `alignment` bytes.
void write_bundle(const std::string& prefix, std::vector<BundleTensorSpec> tensors, size_t alignment = 64);

// Node builders.
tfproto::NodeDef placeholder_node(const std::string& name, std::vector<int64_t> shape);
tfproto::NodeDef op_node(const std::string& name, const std::string& op, std::vector<std::string> inputs);
tfproto::NodeDef float_const_node(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& values);
tfproto::NodeDef var_handle_node(const std::string& name, std::vector<int64_t> shape);

// A SavedModel in `directory`: y = MatMul(x, w) with w a resource variable
// [rows, cols] (checkpoint key "w", every element `w_value`), signature
// serving_default x -> y. Returns the variable's bytes.
size_t write_matmul_saved_model(const std::string& directory, int64_t rows, int64_t cols, float w_value);

// A SavedModel of `graph` (no variables) tagged "serve" whose
// serving_default signature feeds `inputs` and fetches `outputs` (key ->
// tensor name, all float32 of `shape`).
void write_saved_model(const std::string& directory, const tfproto::GraphDef& graph,
                       const std::map<std::string, std::string>& inputs,
                       const std::map<std::string, std::string>& outputs, std::vector<int64_t> shape);

void write_binary(const std::string& path, const google::protobuf::Message& message);
std::string read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::string& bytes);

}  // namespace leanrt::testing
