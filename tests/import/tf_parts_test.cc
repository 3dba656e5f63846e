// The TensorFlow importer's parts on their own: CRC-32C, TensorProto
// constants, OpDef defaults and output-arg order.
#include <gtest/gtest.h>

#include <cstring>

#include "leanrt/base/half.h"
#include "leanrt/import/tf/crc32c.h"
#include "leanrt/import/tf/op_registry.h"
#include "leanrt/import/tf/tensor_proto.h"

namespace leanrt::importer {
namespace {

TEST(Crc32c, MatchesTheCastagnoliCheckValue) {
  EXPECT_EQ(crc32c::value("123456789", 9), 0xe3069283u);
  // Extending in pieces gives the same CRC as one pass.
  const uint32_t first = crc32c::value("12345", 5);
  EXPECT_EQ(crc32c::extend(first, "6789", 4), 0xe3069283u);
  EXPECT_EQ(crc32c::value("", 0), 0u);
}

tfproto::TensorProto float_tensor(std::vector<int64_t> shape) {
  tfproto::TensorProto proto;
  proto.set_dtype(tfproto::DT_FLOAT);
  for (int64_t dim : shape) proto.mutable_tensor_shape()->add_dim()->set_size(dim);
  return proto;
}

template <typename T>
std::vector<T> values_of(const ConstTensor& tensor) {
  std::vector<T> values(tensor.bytes.size_bytes / sizeof(T));
  std::memcpy(values.data(), tensor.bytes.data, tensor.bytes.size_bytes);
  return values;
}

TEST(TensorProto, OneValueFillsTheShape) {
  tfproto::TensorProto proto = float_tensor({2, 3});
  proto.add_float_val(1.5f);
  auto tensor = read_tensor_proto(std::move(proto));
  ASSERT_TRUE(tensor.has_value()) << tensor.status().message();
  EXPECT_EQ(tensor->shape, (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(*tensor), std::vector<float>(6, 1.5f));
}

TEST(TensorProto, AShortListRepeatsItsLastValueAsTensorFlowDoes) {
  tfproto::TensorProto proto;
  proto.set_dtype(tfproto::DT_INT32);
  proto.mutable_tensor_shape()->add_dim()->set_size(4);
  proto.add_int_val(7);
  proto.add_int_val(9);
  auto tensor = read_tensor_proto(std::move(proto));
  ASSERT_TRUE(tensor.has_value());
  EXPECT_EQ(values_of<int32_t>(*tensor), (std::vector<int32_t>{7, 9, 9, 9}));
}

TEST(TensorProto, NoValuesMeansZeros) {
  auto tensor = read_tensor_proto(float_tensor({3}));
  ASSERT_TRUE(tensor.has_value());
  EXPECT_EQ(values_of<float>(*tensor), std::vector<float>(3, 0.0f));
}

TEST(TensorProto, HalfValuesAreBitPatterns) {
  tfproto::TensorProto proto;
  proto.set_dtype(tfproto::DT_HALF);
  proto.mutable_tensor_shape()->add_dim()->set_size(2);
  proto.add_half_val(float_to_half(1.0f));
  proto.add_half_val(float_to_half(-2.5f));
  auto tensor = read_tensor_proto(std::move(proto));
  ASSERT_TRUE(tensor.has_value());
  EXPECT_EQ(tensor->dtype, DType::kF16);
  const auto halves = values_of<uint16_t>(*tensor);
  EXPECT_EQ(half_to_float(halves[0]), 1.0f);
  EXPECT_EQ(half_to_float(halves[1]), -2.5f);
}

TEST(TensorProto, BoolsAndInt64s) {
  tfproto::TensorProto bools;
  bools.set_dtype(tfproto::DT_BOOL);
  bools.mutable_tensor_shape()->add_dim()->set_size(2);
  bools.add_bool_val(true);
  bools.add_bool_val(false);
  auto b = read_tensor_proto(std::move(bools));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(values_of<uint8_t>(*b), (std::vector<uint8_t>{1, 0}));
  tfproto::TensorProto longs;
  longs.set_dtype(tfproto::DT_INT64);
  longs.add_int64_val(int64_t{1} << 40);
  auto l = read_tensor_proto(std::move(longs));
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(values_of<int64_t>(*l), (std::vector<int64_t>{int64_t{1} << 40}));
}

TEST(TensorProto, TensorContentIsTakenOverWithoutACopy) {
  tfproto::TensorProto proto = float_tensor({64});  // past std::string's inline buffer
  std::vector<float> raw(64);
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<float>(i) - 3.0f;
  proto.set_tensor_content(std::string(reinterpret_cast<const char*>(raw.data()), raw.size() * sizeof(float)));
  const void* stored = proto.tensor_content().data();
  auto tensor = read_tensor_proto(std::move(proto));
  ASSERT_TRUE(tensor.has_value());
  EXPECT_EQ(static_cast<const void*>(tensor->bytes.data), stored);
  EXPECT_EQ(values_of<float>(*tensor), raw);
}

// Packed (one length-delimited run) and unpacked (one tag per value)
// encodings of a repeated scalar both parse.
TEST(TensorProto, PackedAndUnpackedFloatsBothParse) {
  std::string unpacked;
  unpacked += static_cast<char>(0x08);  // dtype = 1 (DT_FLOAT), varint
  unpacked += static_cast<char>(0x01);
  for (float value : {1.0f, 2.0f}) {
    unpacked += static_cast<char>((5 << 3) | 5);  // float_val, fixed32
    unpacked.append(reinterpret_cast<const char*>(&value), 4);
  }
  tfproto::TensorProto from_unpacked;
  ASSERT_TRUE(from_unpacked.ParseFromString(unpacked));
  from_unpacked.mutable_tensor_shape()->add_dim()->set_size(2);
  tfproto::TensorProto packed = float_tensor({2});
  packed.add_float_val(1.0f);
  packed.add_float_val(2.0f);
  tfproto::TensorProto from_packed;
  ASSERT_TRUE(from_packed.ParseFromString(packed.SerializeAsString()));
  auto a = read_tensor_proto(std::move(from_unpacked));
  auto b = read_tensor_proto(std::move(from_packed));
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(values_of<float>(*a), values_of<float>(*b));
  EXPECT_EQ(values_of<float>(*a), (std::vector<float>{1.0f, 2.0f}));
}

TEST(TensorProto, InconsistentValuesSayExpectedAndFound) {
  tfproto::TensorProto proto = float_tensor({2});
  proto.set_tensor_content(std::string(12, '\0'));
  auto tensor = read_tensor_proto(std::move(proto));
  ASSERT_FALSE(tensor.has_value());
  EXPECT_NE(tensor.status().message().find("tensor_content has 12 bytes, expected 8"), std::string::npos)
      << tensor.status().message();
  tfproto::TensorProto too_many = float_tensor({1});
  too_many.add_float_val(1.0f);
  too_many.add_float_val(2.0f);
  auto rejected = read_tensor_proto(std::move(too_many));
  ASSERT_FALSE(rejected.has_value());
  EXPECT_NE(rejected.status().message().find("2 values for [1] float32: expected at most 1"), std::string::npos)
      << rejected.status().message();
}

TEST(OpRegistry, TheBuiltinTableParses) {
  EXPECT_GT(builtin_op_defs().op_size(), 50);
  OpRegistry registry;
  EXPECT_NE(registry.find("Conv2D"), nullptr);
  EXPECT_NE(registry.find("FusedBatchNormV3"), nullptr);
}

TEST(OpRegistry, StrippedDefaultsComeBack) {
  OpRegistry registry;
  tfproto::NodeDef conv;
  conv.set_name("conv");
  conv.set_op("Conv2D");
  (*conv.mutable_attr())["strides"].mutable_list()->add_i(1);
  registry.apply_default_attrs(conv);
  ASSERT_TRUE(conv.attr().count("dilations"));
  EXPECT_EQ(conv.attr().at("dilations").list().i_size(), 4);
  EXPECT_EQ(conv.attr().at("data_format").s(), "NHWC");
  EXPECT_EQ(conv.attr().at("strides").list().i_size(), 1);  // given attrs are kept
  tfproto::NodeDef bias;
  bias.set_op("BiasAdd");
  registry.apply_default_attrs(bias);
  EXPECT_EQ(bias.attr().at("data_format").s(), "NHWC");
}

TEST(OpRegistry, OutputArgsGiveFlatIndices) {
  OpRegistry registry;
  tfproto::NodeDef batch_norm;
  batch_norm.set_name("bn");
  batch_norm.set_op("FusedBatchNormV3");
  EXPECT_EQ(*registry.output_index(batch_norm, "y", 0), 0);
  EXPECT_EQ(*registry.output_index(batch_norm, "batch_variance", 0), 2);
  tfproto::NodeDef split;
  split.set_name("split");
  split.set_op("Split");
  (*split.mutable_attr())["num_split"].set_i(3);
  EXPECT_EQ(*registry.output_index(split, "output", 2), 2);
  auto out_of_range = registry.output_index(split, "output", 3);
  ASSERT_FALSE(out_of_range.has_value());
  auto unknown = registry.output_index(batch_norm, "mean", 0);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.status().message().find("y, batch_mean, batch_variance"), std::string::npos)
      << unknown.status().message();
  // A model's own OpDefs (stripped_op_list) take precedence.
  tfproto::OpList ops;
  tfproto::OpDef* custom = ops.add_op();
  custom->set_name("TwoOut");
  custom->add_output_arg()->set_name("first");
  custom->add_output_arg()->set_name("second");
  registry.add(ops);
  tfproto::NodeDef two;
  two.set_op("TwoOut");
  EXPECT_EQ(*registry.output_index(two, "second", 0), 1);
}

}  // namespace
}  // namespace leanrt::importer
