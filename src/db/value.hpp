#pragma once
// A database value: exactly SQLite's five storage classes.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace ds::db {

using Blob = std::vector<std::uint8_t>;
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

inline bool is_null(const Value& v) noexcept { return std::holds_alternative<std::nullptr_t>(v); }

}  // namespace ds::db
