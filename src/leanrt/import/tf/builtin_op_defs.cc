// Built-in OpDefs: TensorFlow's default attr values for the ops whose
// defaults change what inference computes, and the output args of ops with
// more than one (for "node:out_arg:k" references). Values are TensorFlow's
// own (core/ops/*.cc REGISTER_OP). A model's stripped_op_list, when it has
// one, takes precedence.
#include <google/protobuf/text_format.h>

#include "leanrt/import/tf/op_registry.h"

namespace leanrt::importer {
namespace {

constexpr const char* kBuiltinOpDefs = R"pb(
  op { name: "Conv2D"
       attr { name: "use_cudnn_on_gpu" type: "bool" default_value { b: true } }
       attr { name: "explicit_paddings" type: "list(int)" default_value { list {} } }
       attr { name: "data_format" type: "string" default_value { s: "NHWC" } }
       attr { name: "dilations" type: "list(int)" default_value { list { i: [1, 1, 1, 1] } } } }
  op { name: "Conv2DBackpropInput"
       attr { name: "use_cudnn_on_gpu" type: "bool" default_value { b: true } }
       attr { name: "explicit_paddings" type: "list(int)" default_value { list {} } }
       attr { name: "data_format" type: "string" default_value { s: "NHWC" } }
       attr { name: "dilations" type: "list(int)" default_value { list { i: [1, 1, 1, 1] } } } }
  op { name: "DepthwiseConv2dNative"
       attr { name: "explicit_paddings" type: "list(int)" default_value { list {} } }
       attr { name: "data_format" type: "string" default_value { s: "NHWC" } }
       attr { name: "dilations" type: "list(int)" default_value { list { i: [1, 1, 1, 1] } } } }
  op { name: "Conv3D"
       attr { name: "data_format" type: "string" default_value { s: "NDHWC" } }
       attr { name: "dilations" type: "list(int)" default_value { list { i: [1, 1, 1, 1, 1] } } } }
  op { name: "BiasAdd" attr { name: "data_format" type: "string" default_value { s: "NHWC" } } }
  op { name: "MaxPool"
       attr { name: "explicit_paddings" type: "list(int)" default_value { list {} } }
       attr { name: "data_format" type: "string" default_value { s: "NHWC" } } }
  op { name: "AvgPool" attr { name: "data_format" type: "string" default_value { s: "NHWC" } } }
  op { name: "FusedBatchNorm"
       output_arg { name: "y" } output_arg { name: "batch_mean" } output_arg { name: "batch_variance" }
       output_arg { name: "reserve_space_1" } output_arg { name: "reserve_space_2" }
       attr { name: "epsilon" type: "float" default_value { f: 0.0001 } }
       attr { name: "exponential_avg_factor" type: "float" default_value { f: 1 } }
       attr { name: "data_format" type: "string" default_value { s: "NHWC" } }
       attr { name: "is_training" type: "bool" default_value { b: true } } }
  op { name: "FusedBatchNormV2"
       output_arg { name: "y" } output_arg { name: "batch_mean" } output_arg { name: "batch_variance" }
       output_arg { name: "reserve_space_1" } output_arg { name: "reserve_space_2" }
       attr { name: "epsilon" type: "float" default_value { f: 0.0001 } }
       attr { name: "exponential_avg_factor" type: "float" default_value { f: 1 } }
       attr { name: "data_format" type: "string" default_value { s: "NHWC" } }
       attr { name: "is_training" type: "bool" default_value { b: true } } }
  op { name: "FusedBatchNormV3"
       output_arg { name: "y" } output_arg { name: "batch_mean" } output_arg { name: "batch_variance" }
       output_arg { name: "reserve_space_1" } output_arg { name: "reserve_space_2" }
       output_arg { name: "reserve_space_3" }
       attr { name: "epsilon" type: "float" default_value { f: 0.0001 } }
       attr { name: "exponential_avg_factor" type: "float" default_value { f: 1 } }
       attr { name: "data_format" type: "string" default_value { s: "NHWC" } }
       attr { name: "is_training" type: "bool" default_value { b: true } } }
  op { name: "MatMul"
       attr { name: "transpose_a" type: "bool" default_value { b: false } }
       attr { name: "transpose_b" type: "bool" default_value { b: false } } }
  op { name: "BatchMatMul"
       attr { name: "adj_x" type: "bool" default_value { b: false } }
       attr { name: "adj_y" type: "bool" default_value { b: false } } }
  op { name: "BatchMatMulV2"
       attr { name: "adj_x" type: "bool" default_value { b: false } }
       attr { name: "adj_y" type: "bool" default_value { b: false } } }
  op { name: "BatchMatMulV3"
       attr { name: "adj_x" type: "bool" default_value { b: false } }
       attr { name: "adj_y" type: "bool" default_value { b: false } } }
  op { name: "Squeeze" attr { name: "squeeze_dims" type: "list(int)" default_value { list {} } } }
  op { name: "StridedSlice"
       attr { name: "begin_mask" type: "int" default_value { i: 0 } }
       attr { name: "end_mask" type: "int" default_value { i: 0 } }
       attr { name: "ellipsis_mask" type: "int" default_value { i: 0 } }
       attr { name: "new_axis_mask" type: "int" default_value { i: 0 } }
       attr { name: "shrink_axis_mask" type: "int" default_value { i: 0 } } }
  op { name: "Sum" attr { name: "keep_dims" type: "bool" default_value { b: false } } }
  op { name: "Mean" attr { name: "keep_dims" type: "bool" default_value { b: false } } }
  op { name: "Max" attr { name: "keep_dims" type: "bool" default_value { b: false } } }
  op { name: "Min" attr { name: "keep_dims" type: "bool" default_value { b: false } } }
  op { name: "Prod" attr { name: "keep_dims" type: "bool" default_value { b: false } } }
  op { name: "Any" attr { name: "keep_dims" type: "bool" default_value { b: false } } }
  op { name: "All" attr { name: "keep_dims" type: "bool" default_value { b: false } } }
  op { name: "ResizeBilinear"
       attr { name: "align_corners" type: "bool" default_value { b: false } }
       attr { name: "half_pixel_centers" type: "bool" default_value { b: false } } }
  op { name: "ResizeNearestNeighbor"
       attr { name: "align_corners" type: "bool" default_value { b: false } }
       attr { name: "half_pixel_centers" type: "bool" default_value { b: false } } }
  op { name: "Pack" attr { name: "axis" type: "int" default_value { i: 0 } } }
  op { name: "Unpack" output_arg { name: "output" number_attr: "num" }
       attr { name: "axis" type: "int" default_value { i: 0 } } }
  op { name: "Split" output_arg { name: "output" number_attr: "num_split" } }
  op { name: "SplitV" output_arg { name: "output" number_attr: "num_split" } }
  op { name: "Cast" attr { name: "Truncate" type: "bool" default_value { b: false } } }
  op { name: "Gather" attr { name: "validate_indices" type: "bool" default_value { b: true } } }
  op { name: "GatherV2" attr { name: "batch_dims" type: "int" default_value { i: 0 } } }
  op { name: "LeakyRelu" attr { name: "alpha" type: "float" default_value { f: 0.2 } } }
  op { name: "ArgMax" attr { name: "output_type" type: "type" default_value { type: DT_INT64 } } }
  op { name: "ArgMin" attr { name: "output_type" type: "type" default_value { type: DT_INT64 } } }
  op { name: "Shape" attr { name: "out_type" type: "type" default_value { type: DT_INT32 } } }
  op { name: "Size" attr { name: "out_type" type: "type" default_value { type: DT_INT32 } } }
  op { name: "DepthToSpace" attr { name: "data_format" type: "string" default_value { s: "NHWC" } } }
  op { name: "SpaceToDepth" attr { name: "data_format" type: "string" default_value { s: "NHWC" } } }
  op { name: "OneHot" attr { name: "axis" type: "int" default_value { i: -1 } } }
  op { name: "Cumsum"
       attr { name: "exclusive" type: "bool" default_value { b: false } }
       attr { name: "reverse" type: "bool" default_value { b: false } } }
  op { name: "SparseToDense" attr { name: "validate_indices" type: "bool" default_value { b: true } } }
  op { name: "RandomUniform"
       attr { name: "seed" type: "int" default_value { i: 0 } }
       attr { name: "seed2" type: "int" default_value { i: 0 } } }
  op { name: "TopKV2" output_arg { name: "values" } output_arg { name: "indices" }
       attr { name: "sorted" type: "bool" default_value { b: true } } }
  op { name: "Unique" output_arg { name: "y" } output_arg { name: "idx" }
       attr { name: "out_idx" type: "type" default_value { type: DT_INT32 } } }
  op { name: "NonMaxSuppressionV4" output_arg { name: "selected_indices" } output_arg { name: "valid_outputs" }
       attr { name: "pad_to_max_output_size" type: "bool" default_value { b: false } } }
  op { name: "NonMaxSuppressionV5" output_arg { name: "selected_indices" } output_arg { name: "selected_scores" }
       output_arg { name: "valid_outputs" }
       attr { name: "pad_to_max_output_size" type: "bool" default_value { b: false } } }
  op { name: "Switch" output_arg { name: "output_false" } output_arg { name: "output_true" } }
  op { name: "Merge" output_arg { name: "output" } output_arg { name: "value_index" } }
  op { name: "IdentityN" output_arg { name: "output" type_list_attr: "T" } }
  op { name: "RestoreV2" output_arg { name: "tensors" type_list_attr: "dtypes" } }
  op { name: "ParseExample"
       output_arg { name: "sparse_indices" number_attr: "Nsparse" }
       output_arg { name: "sparse_values" type_list_attr: "sparse_types" }
       output_arg { name: "sparse_shapes" number_attr: "Nsparse" }
       output_arg { name: "dense_values" type_list_attr: "Tdense" } }
  op { name: "While" output_arg { name: "output" type_list_attr: "T" } }
  op { name: "StatelessWhile" output_arg { name: "output" type_list_attr: "T" } }
  op { name: "If" output_arg { name: "output" type_list_attr: "Tout" } }
  op { name: "StatelessIf" output_arg { name: "output" type_list_attr: "Tout" } }
  op { name: "PartitionedCall" output_arg { name: "output" type_list_attr: "Tout" } }
  op { name: "StatefulPartitionedCall" output_arg { name: "output" type_list_attr: "Tout" } }
)pb";

}  // namespace

const tfproto::OpList& builtin_op_defs() {
  static const tfproto::OpList* const ops = [] {
    auto* parsed = new tfproto::OpList();
    // The table is a compile-time constant checked by the op registry test;
    // a parse failure would leave it empty rather than fail every import.
    google::protobuf::TextFormat::ParseFromString(kBuiltinOpDefs, parsed);
    return parsed;
  }();
  return *ops;
}

}  // namespace leanrt::importer
