#pragma once
// Writing JSON by hand on hot paths (responses, Hrana requests) without building a DOM.
#include <string>
#include <string_view>

namespace ds {

// Appends `text` as a quoted JSON string. Throws ds::Error(misuse) when `text` is not valid
// UTF-8: emitting it would make the whole document invalid.
void append_json_string(std::string& out, std::string_view text);

}  // namespace ds
