#pragma once
// Decoding of URL query components (form encoding: '+' is a space, %XX a byte), one routine
// for the HTTP layer's query strings and the Turso URL's parameters.
#include <optional>
#include <string>
#include <string_view>

namespace ds {

// What a '%' not followed by two hex digits means.
enum class BadEscape {
  keep,    // the characters stay as written (lenient, like browsers and most servers)
  reject,  // the text is invalid: nullopt
};

std::optional<std::string> percent_decode(std::string_view text, BadEscape bad_escape);

}  // namespace ds
