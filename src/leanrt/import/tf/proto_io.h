// Reading TensorFlow protobuf files with errors that name the file.
//
//   tfproto::GraphDef graph;
//   LEANRT_RETURN_IF_ERROR(parse_binary_proto("frozen.pb", graph, "GraphDef"));
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "leanrt/base/status.h"

namespace leanrt::importer {

// Parses a binary protobuf file (mapped, not copied first). `what` names the
// expected message in errors ("GraphDef", "SavedModel").
Status parse_binary_proto(const std::string& path, google::protobuf::Message& message, std::string_view what);

// Parses bytes held in memory (a bundle entry); the error says what failed
// and leaves naming the file to the caller.
Status parse_proto_bytes(std::string_view bytes, google::protobuf::Message& message, std::string_view what);

// Parses a text-format protobuf file (.pbtxt). Fields our schema leaves out
// are skipped; the first syntax error is reported with its line and column.
Status parse_text_proto(const std::string& path, google::protobuf::Message& message, std::string_view what);

}  // namespace leanrt::importer
