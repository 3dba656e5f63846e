// Status and Expected<T>: errors as values with context.
//
// Library code never exits, aborts or throws across its API. A failing call
// returns a Status whose message names the file, node or tensor and says what
// was expected and what was found, e.g.
//   model.json: node "conv2/Conv2D" input 1: expected rank 4 (HWIO), found rank 2 [3, 64]
//
// Usage:
//   Expected<Graph> g = load(path);
//   if (!g) return g.status();
//   LEANRT_ASSIGN_OR_RETURN(Graph graph, load(path));
#pragma once

#include <fmt/format.h>

#include <string>
#include <utility>
#include <variant>

namespace leanrt {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // bad user input: names, shapes, dtypes, flags
  kInvalidModel,     // malformed or inconsistent model file
  kUnsupported,      // valid TensorFlow, not implemented by leanrt
  kIo,               // open/read/write/rename failures
  kInternal,         // a broken invariant inside leanrt
  kResourceExhausted,
  // A shape depends on tensor values known only at run time: not an error
  // for a model, a signal to compile the node as a dynamic step.
  kDynamicShape,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  bool is_ok() const { return code_ == ErrorCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "prefix: message", to add the outer
  // context (file, node) as an error travels up.
  Status with_context(const std::string& prefix) const {
    if (is_ok()) return *this;
    return Status(code_, prefix + ": " + message_);
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

template <typename... Args>
Status make_error(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  return Status(code, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
Status invalid_argument(fmt::format_string<Args...> format, Args&&... args) {
  return Status(ErrorCode::kInvalidArgument, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
Status invalid_model(fmt::format_string<Args...> format, Args&&... args) {
  return Status(ErrorCode::kInvalidModel, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
Status unsupported(fmt::format_string<Args...> format, Args&&... args) {
  return Status(ErrorCode::kUnsupported, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
Status io_error(fmt::format_string<Args...> format, Args&&... args) {
  return Status(ErrorCode::kIo, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
Status internal_error(fmt::format_string<Args...> format, Args&&... args) {
  return Status(ErrorCode::kInternal, fmt::format(format, std::forward<Args>(args)...));
}

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Expected(Status status) : state_(std::move(status)) {}  // NOLINT

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  Status status() const { return has_value() ? Status::ok() : std::get<1>(state_); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace leanrt

#define LEANRT_CONCAT_INNER(a, b) a##b
#define LEANRT_CONCAT(a, b) LEANRT_CONCAT_INNER(a, b)

#define LEANRT_RETURN_IF_ERROR(expr)                  \
  do {                                                \
    ::leanrt::Status leanrt_status_ = (expr);         \
    if (!leanrt_status_.is_ok()) return leanrt_status_; \
  } while (0)

#define LEANRT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.has_value()) return tmp.status();          \
  lhs = std::move(tmp).value()

#define LEANRT_ASSIGN_OR_RETURN(lhs, expr) \
  LEANRT_ASSIGN_OR_RETURN_IMPL(LEANRT_CONCAT(leanrt_expected_, __LINE__), lhs, expr)

#ifdef NDEBUG
#define LEANRT_DCHECK(cond) ((void)0)
#else
#include <cstdio>
#include <cstdlib>
#define LEANRT_DCHECK(cond)                                                        \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      std::fprintf(stderr, "%s:%d: LEANRT_DCHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                \
    }                                                                              \
  } while (0)
#endif
