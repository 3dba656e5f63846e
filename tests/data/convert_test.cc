// Per-batch dtype conversion: what converts, that values come out as numpy's
// astype gives them, and that integer narrowing stops at the first value
// that does not fit instead of wrapping.
#include "leanrt/data/convert.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "leanrt/base/half.h"

namespace leanrt::data {
namespace {

TEST(Convert, WhatConverts) {
  EXPECT_TRUE(can_convert(DType::kF64, DType::kF32));
  EXPECT_TRUE(can_convert(DType::kU8, DType::kF32));
  EXPECT_TRUE(can_convert(DType::kI64, DType::kI32));
  EXPECT_TRUE(can_convert(DType::kF32, DType::kF16));
  EXPECT_TRUE(can_convert(DType::kBool, DType::kBool));
  EXPECT_FALSE(can_convert(DType::kF32, DType::kI32));
  EXPECT_FALSE(can_convert(DType::kBool, DType::kF32));
  EXPECT_FALSE(can_convert(DType::kF32, DType::kBool));
  EXPECT_NE(conversion_refusal(DType::kF64, DType::kI64).find("drop fractions"), std::string::npos);
}

TEST(Convert, FloatsAndIntegersToFloat32AsAstype) {
  const std::vector<double> wide = {0.1, -2.5, 1e30, 3.0};
  std::vector<float> narrow(wide.size());
  EXPECT_FALSE(convert_elements(wide.data(), DType::kF64, narrow.data(), DType::kF32, 4));
  for (size_t i = 0; i < wide.size(); ++i) EXPECT_EQ(narrow[i], static_cast<float>(wide[i]));

  const std::vector<uint8_t> pixels = {0, 1, 128, 255};
  std::vector<float> floats(pixels.size());
  EXPECT_FALSE(convert_elements(pixels.data(), DType::kU8, floats.data(), DType::kF32, 4));
  EXPECT_EQ(floats, (std::vector<float>{0, 1, 128, 255}));
}

TEST(Convert, HalfFloatsGoThroughFloat32) {
  const std::vector<float> values = {0.5f, -1.0f, 1024.0f};
  std::vector<uint16_t> halves(values.size());
  EXPECT_FALSE(convert_elements(values.data(), DType::kF32, halves.data(), DType::kF16, 3));
  std::vector<double> back(values.size());
  EXPECT_FALSE(convert_elements(halves.data(), DType::kF16, back.data(), DType::kF64, 3));
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(back[i], values[i]);
}

TEST(Convert, IntegerNarrowingStopsAtTheFirstValueThatDoesNotFit) {
  const std::vector<int64_t> ids = {1, -2, 3000000000ll, 4};
  std::vector<int32_t> narrow(ids.size());
  const std::optional<int64_t> bad = convert_elements(ids.data(), DType::kI64, narrow.data(), DType::kI32, 4);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(*bad, 2);
  EXPECT_EQ(narrow[0], 1);
  EXPECT_EQ(narrow[1], -2);
  EXPECT_EQ(element_text(ids.data(), DType::kI64, *bad), "3000000000");

  const std::vector<int32_t> negative = {-1};
  uint8_t byte = 0;
  EXPECT_EQ(convert_elements(negative.data(), DType::kI32, &byte, DType::kU8, 1), std::optional<int64_t>(0));
}

}  // namespace
}  // namespace leanrt::data
