#pragma once
// A string literal usable as a template argument: table and column names live in the types,
// so the SQL text of a query shape is known without looking at any value.
#include <algorithm>
#include <cstddef>
#include <string_view>

namespace ds::db::dsl {

template <std::size_t N>
struct FixedString {
  char value[N]{};
  constexpr FixedString(const char (&s)[N]) { std::copy_n(s, N, value); }
  constexpr std::string_view view() const { return {value, N - 1}; }
};

}  // namespace ds::db::dsl
