#pragma once
// ASCII case-insensitive comparison: what HTTP tokens and SQL identifiers need (SQLite folds
// only ASCII letters in identifiers, and so do HTTP's case-insensitive tokens).
#include <string_view>

namespace ds {

constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace ds
