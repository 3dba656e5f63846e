#include "leanrt/import/tfjs/tfjs_importer.h"

#include <cstring>
#include <filesystem>
#include <limits>

#include <nlohmann/json.hpp>

#include "leanrt/base/base64.h"
#include "leanrt/import/graph_builder.h"
#include "leanrt/import/tfjs/weights_manifest.h"

namespace leanrt::importer {
namespace {

using nlohmann::json;

// protobuf-JSON writes int64 as strings and may write floats as strings
// ("NaN", "Infinity").
Expected<int64_t> json_int(const json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_string()) {
    try {
      size_t used = 0;
      int64_t parsed = std::stoll(value.get<std::string>(), &used);
      if (used == value.get<std::string>().size()) return parsed;
    } catch (...) {
    }
  }
  return invalid_model("expected an integer, found {}", value.dump());
}

Expected<float> json_float(const json& value) {
  if (value.is_number()) return value.get<float>();
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text == "NaN") return std::numeric_limits<float>::quiet_NaN();
    if (text == "Infinity") return std::numeric_limits<float>::infinity();
    if (text == "-Infinity") return -std::numeric_limits<float>::infinity();
  }
  return invalid_model("expected a number, found {}", value.dump());
}

// A TF.js graph runs with TF.js's dtypes only (float32, int32, bool,
// string): its converter stores float64 weights as float32, and TF.js
// executes DT_DOUBLE casts and DT_UINT8/DT_INT64 placeholders as float32 and
// int32. Reading the graph's dtypes the same way keeps every node
// consistent with the weights the manifest holds.
DType as_tfjs_dtype(DType dtype) {
  if (dtype_is_float(dtype)) return DType::kF32;
  if (dtype_is_integer(dtype)) return DType::kI32;
  return dtype;
}

Expected<DType> json_dtype(const json& value) {
  if (value.is_string()) {
    if (auto dtype = dtype_from_tf_name(value.get<std::string>())) return as_tfjs_dtype(*dtype);
  } else if (value.is_number_integer()) {
    if (auto dtype = dtype_from_tf_enum(value.get<int>())) return as_tfjs_dtype(*dtype);
  }
  return unsupported("dtype {} is not supported", value.dump());
}

Expected<std::string> json_bytes(const json& value) {
  if (!value.is_string()) return invalid_model("expected a base64 string, found {}", value.dump());
  auto decoded = base64_decode(value.get<std::string>());
  if (!decoded) return invalid_model("invalid base64 string {}", value.dump());
  return *decoded;
}

// TensorShapeProto JSON: {"dim": [{"size": "-1"}, ...], "unknownRank": true}
Expected<Shape> json_shape(const json& value, bool* unknown_rank = nullptr) {
  Shape shape;
  if (!value.is_object()) return invalid_model("expected a shape object, found {}", value.dump());
  if (unknown_rank) *unknown_rank = value.value("unknownRank", false);
  if (value.contains("dim")) {
    for (const json& dim : value["dim"]) {
      if (!dim.contains("size")) {
        shape.push_back(0);  // proto3 JSON omits zero
        continue;
      }
      LEANRT_ASSIGN_OR_RETURN(int64_t size, json_int(dim["size"]));
      shape.push_back(size);
    }
  }
  return shape;
}

template <typename T, typename Parse>
Expected<std::vector<T>> json_list(const json& list, Parse parse) {
  std::vector<T> values;
  for (const json& item : list) {
    LEANRT_ASSIGN_OR_RETURN(T value, parse(item));
    values.push_back(std::move(value));
  }
  return values;
}

Expected<ir::AttrValue> json_attr(const json& value) {
  if (value.contains("s")) {
    LEANRT_ASSIGN_OR_RETURN(std::string text, json_bytes(value["s"]));
    return ir::AttrValue(std::move(text));
  }
  if (value.contains("i")) {
    LEANRT_ASSIGN_OR_RETURN(int64_t number, json_int(value["i"]));
    return ir::AttrValue(number);
  }
  if (value.contains("f")) {
    LEANRT_ASSIGN_OR_RETURN(float number, json_float(value["f"]));
    return ir::AttrValue(number);
  }
  if (value.contains("b")) return ir::AttrValue(value["b"].get<bool>());
  if (value.contains("type")) {
    LEANRT_ASSIGN_OR_RETURN(DType dtype, json_dtype(value["type"]));
    return ir::AttrValue(dtype);
  }
  if (value.contains("shape")) {
    LEANRT_ASSIGN_OR_RETURN(Shape shape, json_shape(value["shape"]));
    return ir::AttrValue(ir::ShapeAttr{std::move(shape)});
  }
  if (value.contains("list")) {
    const json& list = value["list"];
    if (list.contains("s")) {
      LEANRT_ASSIGN_OR_RETURN(auto items, json_list<std::string>(list["s"], json_bytes));
      return ir::AttrValue(std::move(items));
    }
    if (list.contains("i")) {
      LEANRT_ASSIGN_OR_RETURN(auto items, json_list<int64_t>(list["i"], json_int));
      return ir::AttrValue(std::move(items));
    }
    if (list.contains("f")) {
      LEANRT_ASSIGN_OR_RETURN(auto items, json_list<float>(list["f"], json_float));
      return ir::AttrValue(std::move(items));
    }
    if (list.contains("type")) {
      LEANRT_ASSIGN_OR_RETURN(auto items, json_list<DType>(list["type"], json_dtype));
      return ir::AttrValue(std::move(items));
    }
    if (list.contains("b")) {
      std::vector<bool> items;
      for (const json& item : list["b"]) items.push_back(item.get<bool>());
      return ir::AttrValue(std::move(items));
    }
    return ir::AttrValue(std::vector<int64_t>{});  // an empty list of unknown type
  }
  return ir::AttrValue(std::vector<int64_t>{});  // func, tensor, placeholder: not needed after import
}

// A Const whose value is written in the graph itself (TensorProto JSON):
// tensorContent (base64, raw little-endian) or typed value lists, where a
// single value fills the whole shape.
Expected<ConstBytes> json_tensor(const json& tensor, DType dtype, const Shape& shape) {
  const size_t count = static_cast<size_t>(num_elements(shape));
  const size_t element_bytes = dtype_size(dtype);
  if (element_bytes == 0) return unsupported("constant of dtype {} is not supported", dtype_name(dtype));
  AlignedBuffer buffer(count * element_bytes);
  if (tensor.contains("tensorContent")) {
    LEANRT_ASSIGN_OR_RETURN(std::string raw, json_bytes(tensor["tensorContent"]));
    if (raw.size() != count * element_bytes)
      return invalid_model("tensorContent has {} bytes, expected {} for {} {}", raw.size(), count * element_bytes,
                           shape_string(shape), dtype_name(dtype));
    std::memcpy(buffer.data(), raw.data(), raw.size());
    return ConstBytes::own(std::move(buffer));
  }
  const char* field = nullptr;
  for (const char* name : {"floatVal", "intVal", "int64Val", "boolVal", "doubleVal", "halfVal"})
    if (tensor.contains(name)) field = name;
  if (field == nullptr) {  // no values: all zeros
    std::memset(buffer.data(), 0, count * element_bytes);
    return ConstBytes::own(std::move(buffer));
  }
  const json& list = tensor[field];
  if (!list.is_array() || list.empty() || (list.size() != 1 && list.size() != count))
    return invalid_model("{} has {} values, expected 1 or {}", field, list.is_array() ? list.size() : 0, count);
  for (size_t i = 0; i < count; ++i) {
    const json& item = list[list.size() == 1 ? 0 : i];
    std::byte* out = buffer.data() + i * element_bytes;
    if (dtype == DType::kF32) {
      LEANRT_ASSIGN_OR_RETURN(float v, json_float(item));
      std::memcpy(out, &v, 4);
    } else if (dtype == DType::kF64) {
      double v = item.is_number() ? item.get<double>() : 0.0;
      std::memcpy(out, &v, 8);
    } else if (dtype == DType::kBool) {
      bool v = item.is_boolean() ? item.get<bool>() : false;
      std::memcpy(out, &v, 1);
    } else {
      LEANRT_ASSIGN_OR_RETURN(int64_t v, json_int(item));
      if (element_bytes == 8) std::memcpy(out, &v, 8);
      else if (element_bytes == 4) { int32_t n = static_cast<int32_t>(v); std::memcpy(out, &n, 4); }
      else if (element_bytes == 2) { int16_t n = static_cast<int16_t>(v); std::memcpy(out, &n, 2); }
      else { int8_t n = static_cast<int8_t>(v); std::memcpy(out, &n, 1); }
    }
  }
  return ConstBytes::own(std::move(buffer));
}

Expected<ImportedNode> read_node(const json& node, std::map<std::string, TfjsWeight>& weights) {
  ImportedNode imported;
  if (!node.is_object() || !node.contains("name") || !node["name"].is_string() || !node.contains("op") ||
      !node["op"].is_string())
    return invalid_model("a node has no string \"name\" and \"op\": {}", node.dump().substr(0, 200));
  imported.name = node["name"].get<std::string>();
  imported.op = node["op"].get<std::string>();
  auto context = [&](const Status& status) { return status.with_context(fmt::format("node \"{}\"", imported.name)); };
  if (node.contains("input")) {
    for (const json& input : node["input"]) {
      if (!input.is_string()) return invalid_model("node \"{}\": input {} is not a string", imported.name, input.dump());
      imported.inputs.push_back(input.get<std::string>());
    }
  }
  if (node.contains("attr")) {
    for (const auto& [key, value] : node["attr"].items()) {
      if (key == "value" && imported.op == "Const") continue;
      if (key == "shape" && value.contains("shape")) {  // Placeholder shape, maybe of unknown rank
        bool unknown_rank = false;
        auto shape = json_shape(value["shape"], &unknown_rank);
        if (!shape) return context(shape.status());
        imported.attrs.set("shape", ir::ShapeAttr{*shape});
        if (unknown_rank) imported.attrs.set("unknown_rank", true);
        continue;
      }
      auto attr = json_attr(value);
      if (!attr) return context(attr.status().with_context(fmt::format("attr \"{}\"", key)));
      imported.attrs.set(key, std::move(*attr));
    }
  }
  if (imported.op == "Const") {
    auto weight = weights.find(imported.name);
    if (weight != weights.end()) {
      imported.constant = std::move(weight->second.bytes);
      imported.constant_dtype = weight->second.dtype;
      imported.constant_shape = weight->second.shape;
      return imported;
    }
    if (!node.contains("attr") || !node["attr"].contains("value") || !node["attr"]["value"].contains("tensor"))
      return invalid_model("Const node \"{}\" has neither a weight in the manifest nor a value", imported.name);
    const json& tensor = node["attr"]["value"]["tensor"];
    auto dtype = json_dtype(tensor.value("dtype", json("DT_INVALID")));
    if (!dtype) return context(dtype.status());
    auto shape = tensor.contains("tensorShape") ? json_shape(tensor["tensorShape"]) : Expected<Shape>(Shape{});
    if (!shape) return context(shape.status());
    auto bytes = json_tensor(tensor, *dtype, *shape);
    if (!bytes) return context(bytes.status());
    imported.constant = std::move(*bytes);
    imported.constant_dtype = *dtype;
    imported.constant_shape = *shape;
  }
  return imported;
}

// Declared outputs from the signature TF.js keeps (top level or, in some
// converters, under userDefinedMetadata), as tensor names without ":0".
std::vector<std::string> signature_outputs(const json& model) {
  const json* signature = nullptr;
  if (model.contains("signature")) signature = &model["signature"];
  else if (model.contains("userDefinedMetadata") && model["userDefinedMetadata"].contains("signature"))
    signature = &model["userDefinedMetadata"]["signature"];
  std::vector<std::string> outputs;
  if (signature == nullptr || !signature->contains("outputs") || !(*signature)["outputs"].is_object()) return outputs;
  for (const auto& [key, info] : (*signature)["outputs"].items()) {
    std::string name = info.is_object() && info.contains("name") ? info["name"].get<std::string>() : key;
    if (name.ends_with(":0")) name.resize(name.size() - 2);
    outputs.push_back(name);
  }
  return outputs;
}

}  // namespace

Expected<ir::Graph> load_tfjs_model(const std::string& model_json_path) {
  LEANRT_ASSIGN_OR_RETURN(std::string text, read_text_file(model_json_path));
  json model;
  try {
    model = json::parse(text);
  } catch (const json::parse_error& error) {
    return invalid_model("{}: malformed JSON at byte {}: expected a TF.js model.json ({})", model_json_path,
                         error.byte, error.what());
  }
  if (!model.is_object() || !model.contains("modelTopology") || !model["modelTopology"].is_object())
    return invalid_model("{}: expected a TF.js graph model with \"modelTopology\", found none", model_json_path);
  const json& topology = model["modelTopology"];
  if (!topology.contains("node") || !topology["node"].is_array())
    return invalid_model("{}: modelTopology has no \"node\" list (a Keras layers model? leanrt reads graph models)",
                         model_json_path);
  const std::string directory = std::filesystem::path(model_json_path).parent_path().string();
  std::map<std::string, TfjsWeight> weights;
  if (model.contains("weightsManifest")) {
    LEANRT_ASSIGN_OR_RETURN(weights, read_weights_manifest(model["weightsManifest"],
                                                           directory.empty() ? "." : directory, model_json_path));
  }
  std::vector<ImportedNode> nodes;
  for (const json& node : topology["node"]) {
    auto imported = read_node(node, weights);
    if (!imported) return imported.status().with_context(model_json_path);
    nodes.push_back(std::move(*imported));
  }
  GraphDeclaration declaration{model_json_path, signature_outputs(model)};
  return build_graph(std::move(nodes), declaration);
}

}  // namespace leanrt::importer
