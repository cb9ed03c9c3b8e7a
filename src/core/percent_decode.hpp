#pragma once
// Decoding of URL components (%XX a byte; in query components '+' is a space), one routine
// for the HTTP layer's query strings and path parameters and the Turso URL's parameters.
#include <optional>
#include <string>
#include <string_view>

namespace ds {

// What a '%' not followed by two hex digits means.
enum class BadEscape {
  keep,    // the characters stay as written (lenient, like browsers and most servers)
  reject,  // the text is invalid: nullopt
};

// What a '+' means: a space in query components (form encoding), itself in a path.
enum class Plus { space, literal };

std::optional<std::string> percent_decode(std::string_view text, BadEscape bad_escape,
                                          Plus plus = Plus::space);

}  // namespace ds
