#pragma once
// Writing JSON by hand on hot paths (responses, Hrana requests) without building a DOM.
#include <string>
#include <string_view>

namespace ds {

// Appends `text` as a quoted JSON string. Throws ds::Error(misuse) when `text` is not valid
// UTF-8: emitting it would make the whole document invalid.
void append_json_string(std::string& out, std::string_view text);

// Whether `text` is valid UTF-8 (no overlong forms, surrogates or values past U+10FFFF): what
// append_json_string accepts.
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace ds
