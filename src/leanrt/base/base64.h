// Standard base64 (RFC 4648) decoding, for TF.js JSON strings and tensors.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace leanrt {

// nullopt when `text` is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace leanrt
