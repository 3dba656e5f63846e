#include "support/corpus.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include <fmt/format.h>

#ifndef LEANRT_SOURCE_DIR
#define LEANRT_SOURCE_DIR "."
#endif

namespace leanrt::testing {

std::optional<std::string> corpus_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("LEANRT_CORPUS"); env != nullptr && *env != '\0') {
    if (fs::exists(fs::path(env) / "cases.json")) return std::string(env);
    return std::nullopt;
  }
  fs::path beside = fs::path(LEANRT_SOURCE_DIR) / ".." / "shared" / "corpus";
  if (fs::exists(beside / "cases.json")) return fs::canonical(beside).string();
  return std::nullopt;
}

std::optional<nlohmann::json> load_manifest(const std::string& relative) {
  auto dir = corpus_dir();
  if (!dir) return std::nullopt;
  std::ifstream in(*dir + "/" + relative);
  if (!in) return std::nullopt;
  // The manifests are written by Python's json, which spells a NaN value
  // NaN; JSON has no such literal, so read it as null.
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  static const std::regex nan_value(R"(:\s*NaN\b)");
  return nlohmann::json::parse(std::regex_replace(text, nan_value, ": null"));
}

namespace {

double element_as_double(const void* data, DType dtype, size_t i) {
  switch (dtype) {
    case DType::kF32: return static_cast<const float*>(data)[i];
    case DType::kF64: return static_cast<const double*>(data)[i];
    case DType::kI32: return static_cast<const int32_t*>(data)[i];
    case DType::kI64: return static_cast<double>(static_cast<const int64_t*>(data)[i]);
    case DType::kU8: return static_cast<const uint8_t*>(data)[i];
    case DType::kI8: return static_cast<const int8_t*>(data)[i];
    case DType::kBool: return static_cast<const bool*>(data)[i] ? 1.0 : 0.0;
    default: return std::nan("");
  }
}

}  // namespace

std::string compare_arrays(const void* got, DType got_dtype, const Shape& got_shape, const data::NpyArray& want,
                           const Tolerance& tolerance) {
  if (got_shape != want.shape)
    return fmt::format("shape {} != expected {}", shape_string(got_shape), shape_string(want.shape));
  if (!tolerance.values_only && dtype_is_float(got_dtype) != dtype_is_float(want.dtype))
    return fmt::format("dtype {} != expected {}", dtype_name(got_dtype), dtype_name(want.dtype));
  const size_t count = static_cast<size_t>(num_elements(got_shape));
  size_t bad = 0;
  double max_error = 0.0;
  size_t first_bad = 0;
  for (size_t i = 0; i < count; ++i) {
    const double g = element_as_double(got, got_dtype, i);
    const double w = element_as_double(want.data, want.dtype, i);
    const double error = std::abs(g - w);
    const bool both_nan = std::isnan(g) && std::isnan(w);
    if (both_nan || (tolerance.skip_nan_reference && std::isnan(w))) continue;
    if (!(error <= tolerance.atol + tolerance.rtol * std::abs(w))) {
      if (bad == 0) first_bad = i;
      ++bad;
      if (!(error <= max_error)) max_error = error;
    }
  }
  if (bad == 0) return "";
  return fmt::format("{}/{} elements outside atol {} rtol {}, max abs error {:.3g} (first at {}: got {}, want {})", bad,
                     count, tolerance.atol, tolerance.rtol, max_error, first_bad,
                     element_as_double(got, got_dtype, first_bad), element_as_double(want.data, want.dtype, first_bad));
}

void CaseTally::print(const std::string& title) const {
  for (const std::string& failure : failures) std::printf("FAIL %s\n", failure.c_str());
  std::printf("%s: %d passed, %d failed, %d skipped\n", title.c_str(), passed, failed, skipped);
  std::fflush(stdout);
}

}  // namespace leanrt::testing
