// Node attributes: TensorFlow's AttrValue, minus what the IR resolves at
// import (tensors become constant Values, functions are inlined).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "leanrt/base/dtype.h"
#include "leanrt/base/shape.h"
#include "leanrt/base/status.h"

namespace leanrt::ir {

// A shape-valued attribute (Placeholder's `shape`), distinct from an int list.
struct ShapeAttr {
  Shape dims;
};

using AttrValue = std::variant<int64_t, float, bool, std::string, DType, ShapeAttr,
                               std::vector<int64_t>, std::vector<float>, std::vector<std::string>,
                               std::vector<DType>, std::vector<bool>>;

class AttrMap {
 public:
  void set(const std::string& name, AttrValue value) { values_[name] = std::move(value); }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  void erase(const std::string& name) { values_.erase(name); }
  const std::map<std::string, AttrValue>& all() const { return values_; }

  // The attribute if present with type T. Integer lists accept an empty list
  // of any type (TF.js writes `{"list": {}}` without a type).
  template <typename T>
  std::optional<T> get(const std::string& name) const {
    auto found = values_.find(name);
    if (found == values_.end()) return std::nullopt;
    if (const T* value = std::get_if<T>(&found->second)) return *value;
    if constexpr (std::is_same_v<T, float>) {
      if (const int64_t* value = std::get_if<int64_t>(&found->second)) return static_cast<float>(*value);
    }
    if constexpr (is_vector<T>::value) {
      if (is_empty_list(found->second)) return T{};
    }
    return std::nullopt;
  }
  template <typename T>
  T get_or(const std::string& name, T fallback) const {
    auto value = get<T>(name);
    return value ? *value : fallback;
  }

 private:
  template <typename T> struct is_vector : std::false_type {};
  template <typename T> struct is_vector<std::vector<T>> : std::true_type {};
  static bool is_empty_list(const AttrValue& value) {
    return std::visit(
        [](const auto& held) {
          if constexpr (is_vector<std::decay_t<decltype(held)>>::value) return held.empty();
          return false;
        },
        value);
  }
  std::map<std::string, AttrValue> values_;
};

}  // namespace leanrt::ir
