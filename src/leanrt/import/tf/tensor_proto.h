// A TensorFlow TensorProto (a Const node's `value`) as constant bytes.
//
//   LEANRT_ASSIGN_OR_RETURN(ConstTensor tensor, read_tensor_proto(std::move(*attr.mutable_tensor())));
//
// The value is either `tensor_content` (raw little-endian bytes, taken over
// without a copy) or a typed list (float_val, int_val, half_val, ...) where
// a shorter list is padded with its last value, as TensorFlow's
// Tensor::FromProto does (one value fills the whole shape; none means zeros).
#pragma once

#include "leanrt/base/dtype.h"
#include "leanrt/base/mapped_file.h"
#include "leanrt/base/shape.h"
#include "leanrt/import/tf/proto/tf_graph.pb.h"

namespace leanrt::importer {

struct ConstTensor {
  DType dtype = DType::kInvalid;
  Shape shape;
  ConstBytes bytes;  // empty for DT_STRING: leanrt keeps no string data
};

// Consumes `proto` (its tensor_content moves into the result).
Expected<ConstTensor> read_tensor_proto(tfproto::TensorProto&& proto);

// A shape proto as dims (-1 = unknown); `unknown_rank` says the rank itself is unknown.
Shape read_shape_proto(const tfproto::TensorShapeProto& proto);

}  // namespace leanrt::importer
