#include <cstdio>

#include "commands/commands.h"

namespace leanrt::cli {

int report_error(const Status& status) {
  std::fprintf(stderr, "leanrt: error: %s\n", status.message().c_str());
  return status.code() == ErrorCode::kInternal ? 3 : 2;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

}  // namespace leanrt::cli
