#include "leanrt/import/tflite/tflite_importer.h"

#include <set>

#include "leanrt/import/graph_builder.h"
#include "leanrt/import/tflite/builtin_ops.h"
#include "leanrt/import/tflite/schema/tflite_schema_generated.h"

namespace leanrt::importer {
namespace {

namespace fb = tflite_schema;

std::optional<DType> tflite_dtype(fb::TensorType type) {
  switch (type) {
    case fb::TensorType_FLOAT32: return DType::kF32;
    case fb::TensorType_FLOAT16: return DType::kF16;
    case fb::TensorType_FLOAT64: return DType::kF64;
    case fb::TensorType_INT8: return DType::kI8;
    case fb::TensorType_UINT8: return DType::kU8;
    case fb::TensorType_INT16: return DType::kI16;
    case fb::TensorType_UINT16: return DType::kU16;
    case fb::TensorType_INT32: return DType::kI32;
    case fb::TensorType_UINT32: return DType::kU32;
    case fb::TensorType_INT64: return DType::kI64;
    case fb::TensorType_UINT64: return DType::kU64;
    case fb::TensorType_BOOL: return DType::kBool;
    default: return std::nullopt;
  }
}

// elements x element_bytes; nullopt for a negative dim or a product past
// any file's size (a corrupt shape).
std::optional<size_t> byte_size(const Shape& shape, size_t element_bytes) {
  constexpr uint64_t kLimit = uint64_t{1} << 48;
  uint64_t bytes = element_bytes;
  for (int64_t dim : shape) {
    if (dim < 0 || (dim != 0 && bytes > kLimit / static_cast<uint64_t>(dim))) return std::nullopt;
    bytes *= static_cast<uint64_t>(dim);
  }
  return static_cast<size_t>(bytes);
}

// One tensor of the subgraph, as the importer refers to it.
struct TensorSlot {
  std::string name;  // the TFLite tensor name, as users give it
  std::string node;  // the IR node producing it (no ':', which means "output k" in TF references)
  DType dtype = DType::kInvalid;
  Shape shape;
};

class TfliteReader {
 public:
  TfliteReader(std::string path, std::shared_ptr<MappedFile> file) : path_(std::move(path)), file_(std::move(file)) {}

  Expected<ir::Graph> read() {
    LEANRT_ASSIGN_OR_RETURN(const fb::Model* model, verified_model());
    const fb::SubGraph* subgraph = model->subgraphs()->Get(0);
    LEANRT_RETURN_IF_ERROR(read_tensors(*model, *subgraph));
    LEANRT_RETURN_IF_ERROR(read_operators(*model, *subgraph));
    std::vector<std::string> outputs, output_names;
    if (subgraph->outputs() != nullptr)
      for (int32_t index : *subgraph->outputs()) {
        LEANRT_ASSIGN_OR_RETURN(const TensorSlot* slot, tensor(index, "subgraph output"));
        outputs.push_back(slot->node);
        output_names.push_back(slot->name);
      }
    LEANRT_ASSIGN_OR_RETURN(ir::Graph graph, build_graph(std::move(nodes_), {path_, outputs}));
    graph.output_names = output_names;
    for (std::string& name : graph.input_names)
      for (const TensorSlot& slot : tensors_)
        if (slot.node == name) name = slot.name;
    return graph;
  }

 private:
  Expected<const fb::Model*> verified_model() const {
    const auto* bytes = reinterpret_cast<const uint8_t*>(file_->data());
    if (file_->size_bytes() < 8 || !fb::ModelBufferHasIdentifier(bytes))
      return invalid_model("{}: no \"TFL3\" identifier at byte 4: not a TFLite flatbuffer", path_);
    flatbuffers::Verifier verifier(bytes, file_->size_bytes());
    if (!fb::VerifyModelBuffer(verifier))
      return invalid_model("{}: the TFLite flatbuffer ({} bytes) fails verification: truncated or corrupt", path_,
                           file_->size_bytes());
    const fb::Model* model = fb::GetModel(bytes);
    if (model->subgraphs() == nullptr || model->subgraphs()->size() == 0)
      return invalid_model("{}: the model has no subgraph", path_);
    return model;
  }

  Expected<const TensorSlot*> tensor(int32_t index, std::string_view what) const {
    if (index < 0 || static_cast<size_t>(index) >= tensors_.size())
      return invalid_model("{}: {} refers to tensor {}, but the subgraph has {} tensors", path_, what, index,
                           tensors_.size());
    return &tensors_[static_cast<size_t>(index)];
  }

  // Unique IR node names; TFLite's "name:0" spellings lose the ":0".
  std::string node_name_for(const std::string& tensor_name, size_t index) {
    std::string name = tensor_name.empty() ? fmt::format("tensor_{}", index) : tensor_name;
    if (name.ends_with(":0")) name.resize(name.size() - 2);
    for (char& c : name)
      if (c == ':') c = '_';
    while (!used_names_.insert(name).second) name += fmt::format("_{}", index);
    return name;
  }

  // The constant bytes of a tensor's buffer; nullopt when it has none.
  Expected<std::optional<ConstBytes>> buffer_bytes(const fb::Model& model, const fb::Tensor& tensor,
                                                   const TensorSlot& slot) const {
    if (tensor.buffer() == 0 || model.buffers() == nullptr) return std::optional<ConstBytes>();
    if (tensor.buffer() >= model.buffers()->size())
      return invalid_model("{}: tensor \"{}\" uses buffer {}, but the model has {}", path_, slot.name, tensor.buffer(),
                           model.buffers()->size());
    const fb::Buffer* buffer = model.buffers()->Get(tensor.buffer());
    size_t offset = 0, size = 0;
    if (buffer->data() != nullptr && buffer->data()->size() > 0) {
      offset = static_cast<size_t>(buffer->data()->Data() - reinterpret_cast<const uint8_t*>(file_->data()));
      size = buffer->data()->size();
    } else if (buffer->offset() > 1) {  // data stored after the flatbuffer (models over 2 GiB)
      if (buffer->offset() > file_->size_bytes() || buffer->size() > file_->size_bytes() - buffer->offset())
        return invalid_model("{}: tensor \"{}\" needs bytes [{}, {}), the file has {}", path_, slot.name,
                             buffer->offset(), buffer->offset() + buffer->size(), file_->size_bytes());
      offset = static_cast<size_t>(buffer->offset());
      size = static_cast<size_t>(buffer->size());
    } else {
      return std::optional<ConstBytes>();
    }
    const std::optional<size_t> expected = byte_size(slot.shape, dtype_size(slot.dtype));
    if (!expected)
      return invalid_model("{}: tensor \"{}\" has shape {}: expected non-negative dims", path_, slot.name,
                           shape_string(slot.shape));
    if (size != *expected)
      return invalid_model("{}: tensor \"{}\" {} {} needs {} bytes, its buffer holds {}", path_, slot.name,
                           shape_string(slot.shape), dtype_name(slot.dtype), *expected, size);
    if (offset % dtype_size(slot.dtype) == 0) return std::optional<ConstBytes>(ConstBytes::view_of(file_, offset, size));
    ConstBytes copy = ConstBytes::copy_of(file_->data() + offset, size);
    file_->release_pages(offset, size);  // the copy is what is kept
    return std::optional<ConstBytes>(std::move(copy));
  }

  Status read_tensors(const fb::Model& model, const fb::SubGraph& subgraph) {
    if (subgraph.tensors() == nullptr) return invalid_model("{}: the main subgraph has no tensors", path_);
    std::set<int32_t> inputs;
    if (subgraph.inputs() != nullptr) inputs.insert(subgraph.inputs()->begin(), subgraph.inputs()->end());
    for (size_t i = 0; i < subgraph.tensors()->size(); ++i) {
      const fb::Tensor& tensor = *subgraph.tensors()->Get(static_cast<flatbuffers::uoffset_t>(i));
      TensorSlot slot;
      slot.name = tensor.name() ? tensor.name()->str() : "";
      slot.node = node_name_for(slot.name, i);
      auto dtype = tflite_dtype(tensor.type());
      const auto* quantization = tensor.quantization();
      const bool quantized = quantization && quantization->scale() && quantization->scale()->size() > 0 &&
                             dtype && !dtype_is_float(*dtype);
      if (!dtype || quantized)
        return unsupported("{}: tensor \"{}\" has type {}{}: leanrt does not support it yet", path_, slot.name,
                           fb::EnumNameTensorType(tensor.type()), quantized ? " (quantized)" : "");
      slot.dtype = *dtype;
      if (tensor.shape() != nullptr) slot.shape.assign(tensor.shape()->begin(), tensor.shape()->end());
      LEANRT_ASSIGN_OR_RETURN(std::optional<ConstBytes> bytes, buffer_bytes(model, tensor, slot));
      if (bytes) {
        ImportedNode constant;
        constant.name = slot.node;
        constant.op = "Const";
        constant.constant = std::move(*bytes);
        constant.constant_dtype = slot.dtype;
        constant.constant_shape = slot.shape;
        nodes_.push_back(std::move(constant));
      } else if (inputs.count(static_cast<int32_t>(i))) {
        nodes_.push_back(input_node(tensor, slot));
      }
      tensors_.push_back(std::move(slot));
    }
    return Status::ok();
  }

  // With a shape_signature the rank is fixed and -1 dims are free; without
  // one, TFLite lets the caller resize the input to any shape.
  ImportedNode input_node(const fb::Tensor& tensor, const TensorSlot& slot) const {
    ImportedNode input;
    input.name = slot.node;
    input.op = "Placeholder";
    input.attrs.set("dtype", slot.dtype);
    Shape shape;
    if (tensor.shape_signature() != nullptr && tensor.shape_signature()->size() > 0)
      shape.assign(tensor.shape_signature()->begin(), tensor.shape_signature()->end());
    else
      input.attrs.set("unknown_rank", true);
    input.attrs.set("shape", ir::ShapeAttr{shape});
    return input;
  }

  Status read_operators(const fb::Model& model, const fb::SubGraph& subgraph) {
    if (subgraph.operators() == nullptr) return Status::ok();
    for (size_t i = 0; i < subgraph.operators()->size(); ++i) {
      const fb::Operator& table = *subgraph.operators()->Get(static_cast<flatbuffers::uoffset_t>(i));
      const auto* codes = model.operator_codes();
      if (codes == nullptr || table.opcode_index() >= codes->size())
        return invalid_model("{}: operator {} uses opcode {}, but the model lists {}", path_, i, table.opcode_index(),
                             codes ? codes->size() : 0);
      const fb::OperatorCode* code = codes->Get(table.opcode_index());
      const int builtin = std::max<int>(code->deprecated_builtin_code(), code->builtin_code());
      const std::string where = fmt::format("{}: operator {} ({})", path_, i,
                                            code->custom_code() ? "custom " + code->custom_code()->str()
                                                                : builtin_op_name(builtin));
      if (code->custom_code() != nullptr) return unsupported("{}: custom ops are not supported by leanrt yet", where);
      if (table.outputs() == nullptr || table.outputs()->size() != 1)
        return unsupported("{}: expected one output, found {}", where, table.outputs() ? table.outputs()->size() : 0);
      LEANRT_ASSIGN_OR_RETURN(const TensorSlot* output, tensor(table.outputs()->Get(0), where + " output"));
      TfliteOp op{table, builtin, {}, output->node, where};
      if (table.inputs() != nullptr)
        for (int32_t index : *table.inputs()) {
          if (index < 0) {
            op.inputs.emplace_back();
            continue;
          }
          LEANRT_ASSIGN_OR_RETURN(const TensorSlot* input, tensor(index, where + " input"));
          op.inputs.push_back(input->node);
        }
      LEANRT_RETURN_IF_ERROR(map_builtin_op(op, nodes_));
    }
    return Status::ok();
  }

  std::string path_;
  std::shared_ptr<MappedFile> file_;
  std::vector<TensorSlot> tensors_;
  std::vector<ImportedNode> nodes_;
  std::set<std::string> used_names_;
};

}  // namespace

Expected<ir::Graph> load_tflite_model(const std::string& path) {
  LEANRT_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> file, MappedFile::open(path));
  return TfliteReader(path, std::move(file)).read();
}

}  // namespace leanrt::importer
