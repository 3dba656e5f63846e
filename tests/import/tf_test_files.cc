#include "import/tf_test_files.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "leanrt/import/tf/crc32c.h"

namespace leanrt::testing {
namespace {

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void put_u32(std::string& out, uint32_t value) { out.append(reinterpret_cast<const char*>(&value), 4); }

// A block of full keys (every entry a restart point), plus its trailer.
std::string table_block(const std::vector<std::pair<std::string, std::string>>& entries, std::string& file,
                        uint64_t& handle_offset, uint64_t& handle_size) {
  std::string block;
  std::vector<uint32_t> restarts;
  for (const auto& [key, value] : entries) {
    restarts.push_back(static_cast<uint32_t>(block.size()));
    put_varint(block, 0);
    put_varint(block, key.size());
    put_varint(block, value.size());
    block += key;
    block += value;
  }
  if (restarts.empty()) restarts.push_back(0);
  for (uint32_t restart : restarts) put_u32(block, restart);
  put_u32(block, static_cast<uint32_t>(restarts.size()));
  handle_offset = file.size();
  handle_size = block.size();
  file += block;
  file.push_back('\0');  // uncompressed
  const std::string covered = block + std::string(1, '\0');
  put_u32(file, importer::crc32c::mask(importer::crc32c::value(covered.data(), covered.size())));
  return block;
}

}  // namespace

void write_bundle(const std::string& prefix, std::vector<BundleTensorSpec> tensors, size_t alignment) {
  std::sort(tensors.begin(), tensors.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  std::string data;
  std::vector<std::pair<std::string, std::string>> entries;
  tfproto::BundleHeaderProto header;
  header.set_num_shards(1);
  header.mutable_version()->set_producer(1);
  entries.emplace_back("", header.SerializeAsString());
  for (const auto& tensor : tensors) {
    data.resize((data.size() + alignment - 1) / alignment * alignment, '\0');
    tfproto::BundleEntryProto entry;
    entry.set_dtype(tensor.dtype);
    for (int64_t dim : tensor.shape) entry.mutable_shape()->add_dim()->set_size(dim);
    entry.set_offset(static_cast<int64_t>(data.size()));
    entry.set_size(static_cast<int64_t>(tensor.bytes.size()));
    entry.set_crc32c(importer::crc32c::mask(importer::crc32c::value(tensor.bytes.data(), tensor.bytes.size())));
    data += tensor.bytes;
    entries.emplace_back(tensor.key, entry.SerializeAsString());
  }
  std::string file;
  uint64_t data_offset = 0, data_size = 0, meta_offset = 0, meta_size = 0, index_offset = 0, index_size = 0;
  table_block(entries, file, data_offset, data_size);
  table_block({}, file, meta_offset, meta_size);
  std::string data_handle;
  put_varint(data_handle, data_offset);
  put_varint(data_handle, data_size);
  table_block({{entries.back().first + "\xff", data_handle}}, file, index_offset, index_size);
  std::string footer;
  put_varint(footer, meta_offset);
  put_varint(footer, meta_size);
  put_varint(footer, index_offset);
  put_varint(footer, index_size);
  footer.resize(40, '\0');
  const uint64_t magic = 0xdb4775248b80fb57ull;
  footer.append(reinterpret_cast<const char*>(&magic), 8);
  file += footer;
  write_bytes(prefix + ".index", file);
  write_bytes(prefix + ".data-00000-of-00001", data);
}

tfproto::NodeDef placeholder_node(const std::string& name, std::vector<int64_t> shape) {
  tfproto::NodeDef node;
  node.set_name(name);
  node.set_op("Placeholder");
  (*node.mutable_attr())["dtype"].set_type(tfproto::DT_FLOAT);
  for (int64_t dim : shape) (*node.mutable_attr())["shape"].mutable_shape()->add_dim()->set_size(dim);
  return node;
}

tfproto::NodeDef op_node(const std::string& name, const std::string& op, std::vector<std::string> inputs) {
  tfproto::NodeDef node;
  node.set_name(name);
  node.set_op(op);
  for (const auto& input : inputs) node.add_input(input);
  (*node.mutable_attr())["T"].set_type(tfproto::DT_FLOAT);
  return node;
}

tfproto::NodeDef float_const_node(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& values) {
  tfproto::NodeDef node;
  node.set_name(name);
  node.set_op("Const");
  (*node.mutable_attr())["dtype"].set_type(tfproto::DT_FLOAT);
  tfproto::TensorProto* tensor = (*node.mutable_attr())["value"].mutable_tensor();
  tensor->set_dtype(tfproto::DT_FLOAT);
  for (int64_t dim : shape) tensor->mutable_tensor_shape()->add_dim()->set_size(dim);
  for (float value : values) tensor->add_float_val(value);
  return node;
}

tfproto::NodeDef var_handle_node(const std::string& name, std::vector<int64_t> shape) {
  tfproto::NodeDef node;
  node.set_name(name);
  node.set_op("VarHandleOp");
  (*node.mutable_attr())["dtype"].set_type(tfproto::DT_FLOAT);
  (*node.mutable_attr())["shared_name"].set_s(name);
  for (int64_t dim : shape) (*node.mutable_attr())["shape"].mutable_shape()->add_dim()->set_size(dim);
  return node;
}

size_t write_matmul_saved_model(const std::string& directory, int64_t rows, int64_t cols, float w_value) {
  namespace fs = std::filesystem;
  fs::create_directories(fs::path(directory) / "variables");
  tfproto::SavedModel model;
  model.set_saved_model_schema_version(1);
  tfproto::MetaGraphDef* meta_graph = model.add_meta_graphs();
  meta_graph->mutable_meta_info_def()->add_tags("serve");
  tfproto::GraphDef* graph = meta_graph->mutable_graph_def();
  *graph->add_node() = placeholder_node("x", {-1, rows});
  *graph->add_node() = var_handle_node("w", {rows, cols});
  tfproto::NodeDef read = op_node("w/read", "ReadVariableOp", {"w"});
  read.mutable_attr()->erase("T");
  (*read.mutable_attr())["dtype"].set_type(tfproto::DT_FLOAT);
  *graph->add_node() = read;
  *graph->add_node() = op_node("y", "MatMul", {"x", "w/read"});
  tfproto::SignatureDef& signature = (*meta_graph->mutable_signature_def())["serving_default"];
  signature.set_method_name("tensorflow/serving/predict");
  tfproto::TensorInfo& input = (*signature.mutable_inputs())["x"];
  input.set_name("x:0");
  input.set_dtype(tfproto::DT_FLOAT);
  tfproto::TensorInfo& output = (*signature.mutable_outputs())["y"];
  output.set_name("y:0");
  output.set_dtype(tfproto::DT_FLOAT);
  write_binary((fs::path(directory) / "saved_model.pb").string(), model);
  std::vector<float> values(static_cast<size_t>(rows * cols), w_value);
  std::string bytes(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  write_bundle((fs::path(directory) / "variables" / "variables").string(),
               {{"w", tfproto::DT_FLOAT, {rows, cols}, bytes}});
  return bytes.size();
}

void write_saved_model(const std::string& directory, const tfproto::GraphDef& graph,
                       const std::map<std::string, std::string>& inputs,
                       const std::map<std::string, std::string>& outputs, std::vector<int64_t> shape) {
  std::filesystem::create_directories(directory);
  tfproto::SavedModel model;
  tfproto::MetaGraphDef* meta_graph = model.add_meta_graphs();
  meta_graph->mutable_meta_info_def()->add_tags("serve");
  *meta_graph->mutable_graph_def() = graph;
  tfproto::SignatureDef& signature = (*meta_graph->mutable_signature_def())["serving_default"];
  auto fill = [&](tfproto::TensorInfo& info, const std::string& name) {
    info.set_name(name);
    info.set_dtype(tfproto::DT_FLOAT);
    for (int64_t dim : shape) info.mutable_tensor_shape()->add_dim()->set_size(dim);
  };
  for (const auto& [key, name] : inputs) fill((*signature.mutable_inputs())[key], name);
  for (const auto& [key, name] : outputs) fill((*signature.mutable_outputs())[key], name);
  write_binary((std::filesystem::path(directory) / "saved_model.pb").string(), model);
}

void write_binary(const std::string& path, const google::protobuf::Message& message) {
  write_bytes(path, message.SerializeAsString());
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace leanrt::testing
