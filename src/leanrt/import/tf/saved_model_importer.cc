// SavedModels: saved_model.pb holds one MetaGraph per tag set; the chosen
// signature says what to feed and fetch; variables/ holds the weights.
#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "leanrt/import/tf/meta_graph_import.h"
#include "leanrt/import/tf/proto_io.h"
#include "leanrt/import/tf/tensor_proto.h"
#include "leanrt/import/tf/tf_importer.h"

namespace leanrt::importer {
namespace {

constexpr const char* kDefaultSignature = "serving_default";

std::set<std::string> split_tags(const std::string& text) {
  std::set<std::string> tags;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) tags.insert(text.substr(start, comma - start));
    start = comma + 1;
  }
  return tags;
}

std::string tag_list(const tfproto::MetaGraphDef& meta_graph) {
  std::vector<std::string> tags(meta_graph.meta_info_def().tags().begin(), meta_graph.meta_info_def().tags().end());
  return fmt::format("[{}]", fmt::join(tags, ","));
}

// TensorFlow loads the MetaGraph whose tag set equals the one asked for.
Expected<tfproto::MetaGraphDef*> select_meta_graph(tfproto::SavedModel& model, const std::string& tag,
                                                   const std::string& source) {
  const std::set<std::string> wanted = split_tags(tag);
  std::vector<std::string> available;
  for (auto& meta_graph : *model.mutable_meta_graphs()) {
    const auto& tags = meta_graph.meta_info_def().tags();
    if (std::set<std::string>(tags.begin(), tags.end()) == wanted) return &meta_graph;
    available.push_back(tag_list(meta_graph));
  }
  return invalid_argument("{}: no MetaGraph tagged \"{}\": the SavedModel's MetaGraphs are tagged {}", source, tag,
                          available.empty() ? "(none)" : fmt::format("{}", fmt::join(available, ", ")));
}

// True when every name is one of the signature's keys or tensor names
// (with or without ":0").
bool signature_has(const tfproto::SignatureDef& signature, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    bool found = false;
    for (const auto* map : {&signature.inputs(), &signature.outputs()})
      for (const auto& [key, info] : *map)
        found = found || name == key || name == info.name() || name + ":0" == info.name();
    if (!found) return false;
  }
  return true;
}

// The signature to load: the one named, or, when that is only the default,
// the first whose tensors cover the ones the caller names.
std::string resolve_signature(const tfproto::MetaGraphDef& meta_graph, const LoadOptions& options) {
  auto named = meta_graph.signature_def().find(options.signature);
  if (!options.signature_is_default || options.tensors.empty()) return options.signature;
  if (named != meta_graph.signature_def().end() && signature_has(named->second, options.tensors)) return options.signature;
  std::vector<std::string> names;
  for (const auto& [key, signature] : meta_graph.signature_def())
    if (!key.starts_with("__") && signature_has(signature, options.tensors)) names.push_back(key);
  std::sort(names.begin(), names.end());
  return names.empty() ? options.signature : names.front();
}

// Null when the MetaGraph has no signatures and none was asked for by name.
Expected<const tfproto::SignatureDef*> select_signature(const tfproto::MetaGraphDef& meta_graph,
                                                        const std::string& name, const std::string& source) {
  auto found = meta_graph.signature_def().find(name);
  if (found != meta_graph.signature_def().end()) return &found->second;
  if (meta_graph.signature_def().empty() && name == kDefaultSignature) return nullptr;
  std::vector<std::string> names;
  for (const auto& [key, signature] : meta_graph.signature_def())
    if (!key.starts_with("__")) names.push_back(key);
  std::sort(names.begin(), names.end());
  return invalid_argument("{}: MetaGraph {} has no signature \"{}\": its signatures are {}", source,
                          tag_list(meta_graph), name, names.empty() ? "(none)" : fmt::format("{}", fmt::join(names, ", ")));
}

// saved_model.pb, or the text form TensorFlow also reads.
std::string saved_model_pb(const std::string& directory) {
  const auto binary = std::filesystem::path(directory) / "saved_model.pb";
  const auto text = std::filesystem::path(directory) / "saved_model.pbtxt";
  std::error_code error;
  return (!std::filesystem::exists(binary, error) && std::filesystem::exists(text, error) ? text : binary).string();
}

Status parse_saved_model(const std::string& path, tfproto::SavedModel& model) {
  if (path.ends_with(".pbtxt")) return parse_text_proto(path, model, "SavedModel");
  return parse_binary_proto(path, model, "SavedModel");
}

// variables/variables.index and its shards, when the model has variables.
Expected<std::optional<TensorBundle>> open_variables(const std::string& directory) {
  const std::string prefix = (std::filesystem::path(directory) / "variables" / "variables").string();
  std::error_code error;
  if (!std::filesystem::exists(prefix + ".index", error)) return std::optional<TensorBundle>();
  LEANRT_ASSIGN_OR_RETURN(TensorBundle bundle, TensorBundle::open(prefix));
  return std::optional<TensorBundle>(std::move(bundle));
}

SignatureTensor signature_tensor(const std::string& key, const tfproto::TensorInfo& info) {
  SignatureTensor tensor;
  tensor.key = key;
  tensor.name = info.name();
  tensor.dtype = dtype_from_tf_enum(info.dtype()).value_or(DType::kInvalid);
  tensor.unknown_rank = info.tensor_shape().unknown_rank();
  tensor.shape = read_shape_proto(info.tensor_shape());
  return tensor;
}

}  // namespace

Expected<ir::Graph> load_tf_saved_model(const std::string& directory, const LoadOptions& options) {
  const std::string path = saved_model_pb(directory);
  tfproto::SavedModel model;
  LEANRT_RETURN_IF_ERROR(parse_saved_model(path, model));
  LEANRT_ASSIGN_OR_RETURN(tfproto::MetaGraphDef * meta_graph, select_meta_graph(model, options.tag, path));
  LEANRT_ASSIGN_OR_RETURN(const tfproto::SignatureDef* signature,
                          select_signature(*meta_graph, resolve_signature(*meta_graph, options), path));
  LEANRT_ASSIGN_OR_RETURN(std::optional<TensorBundle> bundle, open_variables(directory));
  return import_meta_graph({path, meta_graph, signature, bundle ? &*bundle : nullptr});
}

Expected<std::vector<SignatureInfo>> list_saved_model_signatures(const std::string& directory,
                                                                 const LoadOptions& options) {
  const std::string path = saved_model_pb(directory);
  tfproto::SavedModel model;
  LEANRT_RETURN_IF_ERROR(parse_saved_model(path, model));
  LEANRT_ASSIGN_OR_RETURN(tfproto::MetaGraphDef * meta_graph, select_meta_graph(model, options.tag, path));
  std::vector<SignatureInfo> signatures;
  const std::string selected = resolve_signature(*meta_graph, options);
  for (const auto& [name, signature] : meta_graph->signature_def()) {
    // "__saved_model_init_op" and the like run TensorFlow's own set-up, not a model.
    if (name.starts_with("__")) continue;
    SignatureInfo info;
    info.name = name;
    info.method_name = signature.method_name();
    info.selected = name == selected;
    for (const auto& [key, tensor] : signature.inputs()) info.inputs.push_back(signature_tensor(key, tensor));
    for (const auto& [key, tensor] : signature.outputs()) info.outputs.push_back(signature_tensor(key, tensor));
    auto by_key = [](const SignatureTensor& a, const SignatureTensor& b) { return a.key < b.key; };
    std::sort(info.inputs.begin(), info.inputs.end(), by_key);
    std::sort(info.outputs.begin(), info.outputs.end(), by_key);
    signatures.push_back(std::move(info));
  }
  std::sort(signatures.begin(), signatures.end(),
            [](const SignatureInfo& a, const SignatureInfo& b) { return a.name < b.name; });
  return signatures;
}

}  // namespace leanrt::importer
