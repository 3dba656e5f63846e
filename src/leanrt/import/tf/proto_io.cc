#include "leanrt/import/tf/proto_io.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <google/protobuf/stubs/logging.h>

#include <climits>
#include <mutex>

#include "leanrt/base/mapped_file.h"

namespace leanrt::importer {
namespace {

// protobuf reports some parse failures (a string field that is not UTF-8)
// by logging to stderr. While a parse runs, its log lines are caught
// instead and put into the error, so stderr carries our one line only. The
// log handler is process-wide, so parses take turns.
class CapturedProtobufLog {
 public:
  CapturedProtobufLog() : lock_(mutex()) {
    last_message().clear();
    previous_ = google::protobuf::SetLogHandler(&record);
  }
  ~CapturedProtobufLog() { google::protobuf::SetLogHandler(previous_); }
  CapturedProtobufLog(const CapturedProtobufLog&) = delete;
  CapturedProtobufLog& operator=(const CapturedProtobufLog&) = delete;

  // ": <what protobuf said>", or "" when it said nothing.
  std::string detail() const { return last_message().empty() ? "" : ": " + last_message(); }

 private:
  static std::mutex& mutex() {
    static std::mutex parse_mutex;
    return parse_mutex;
  }
  static std::string& last_message() {
    static std::string message;
    return message;
  }
  static void record(google::protobuf::LogLevel, const char*, int, const std::string& message) {
    last_message() = message;
  }

  std::lock_guard<std::mutex> lock_;
  google::protobuf::LogHandler* previous_ = nullptr;
};

// Keeps the first error; warnings (skipped unknown fields) are dropped, so
// nothing reaches protobuf's logger and stderr stays ours.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (!message_.empty()) return;
    // protobuf counts lines and columns from 0.
    message_ = fmt::format("line {}, column {}: {}", line + 1, column + 1, message);
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

}  // namespace

Status parse_binary_proto(const std::string& path, google::protobuf::Message& message, std::string_view what) {
  LEANRT_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> file, MappedFile::open(path));
  if (file->size_bytes() > static_cast<size_t>(INT_MAX))
    return unsupported("{}: {} bytes: protobuf files over 2 GiB cannot be parsed", path, file->size_bytes());
  CapturedProtobufLog log;
  if (!message.ParseFromArray(file->data(), static_cast<int>(file->size_bytes())))
    return invalid_model("{}: not a valid {} protobuf ({} bytes): the file is truncated, corrupt or of another kind{}",
                         path, what, file->size_bytes(), log.detail());
  return Status::ok();
}

Status parse_proto_bytes(std::string_view bytes, google::protobuf::Message& message, std::string_view what) {
  CapturedProtobufLog log;
  if (bytes.size() > static_cast<size_t>(INT_MAX) || !message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return invalid_model("not a valid {} ({} bytes){}", what, bytes.size(), log.detail());
  return Status::ok();
}

Status parse_text_proto(const std::string& path, google::protobuf::Message& message, std::string_view what) {
  LEANRT_ASSIGN_OR_RETURN(std::string text, read_text_file(path));
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  parser.AllowUnknownField(true);
  parser.AllowUnknownExtension(true);
  CapturedProtobufLog log;
  if (!parser.ParseFromString(text, &message))
    return invalid_model("{}: not a valid text-format {}: {}{}", path, what,
                         errors.message().empty() ? "parse failed" : errors.message(), log.detail());
  return Status::ok();
}

}  // namespace leanrt::importer
