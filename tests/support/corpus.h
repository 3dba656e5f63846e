// Test support: finding the shared corpus, reading its manifests, and
// comparing engine outputs with TensorFlow-made references.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "leanrt/data/npy.h"
#include "leanrt/kernels/kernel.h"

namespace leanrt::testing {

// $LEANRT_CORPUS, else ../shared/corpus beside the source tree; nullopt
// when neither exists (tests then report the corpus cases as skipped).
std::optional<std::string> corpus_dir();

// Loads <corpus>/<relative>, e.g. "cases.json" or "ops/cases.json".
std::optional<nlohmann::json> load_manifest(const std::string& relative);

struct Tolerance {
  double atol = 0.0;
  double rtol = 0.0;
  // Compare values even when the reference's dtype kind differs (TF.js
  // returns int32 from a float FloorDiv; TensorFlow returns float32).
  bool values_only = false;
  // Skip elements whose reference is NaN (a reference-side defect).
  bool skip_nan_reference = false;
};

// Compares as the corpus tools do: same shape, |got - want| <= atol +
// rtol * |want| everywhere (integers and bools exactly when both
// tolerances are 0). Returns an empty string when they match, else why not.
std::string compare_arrays(const void* got, DType got_dtype, const Shape& got_shape, const data::NpyArray& want,
                           const Tolerance& tolerance);

// Accumulates per-case results and prints "N passed, N failed, N skipped".
struct CaseTally {
  int passed = 0, failed = 0, skipped = 0;
  std::vector<std::string> failures;
  void print(const std::string& title) const;
};

}  // namespace leanrt::testing

namespace leanrt::testing {

// Runs one manifest case through the library (load, compile at the input
// shapes, run) and compares every output. Returns "" when all match; a
// Status error when the engine refused the case (e.g. kUnsupported).
// `kernels`: the fast paths (with the fusion passes) or the reference
// kernels only, as `--kernels auto|reference` selects.
Expected<std::string> run_corpus_case(const std::string& corpus, const nlohmann::json& manifest_case,
                                      const std::string& manifest_dir,
                                      kernels::KernelChoice kernels = kernels::KernelChoice::kAuto);

// Both kernel choices, each with its name for the summary lines.
struct KernelChoiceName {
  kernels::KernelChoice choice;
  const char* name;
};
inline constexpr KernelChoiceName kBothKernelChoices[] = {{kernels::KernelChoice::kAuto, "fast kernels"},
                                                          {kernels::KernelChoice::kReference, "reference kernels"}};

}  // namespace leanrt::testing
