#pragma once
// Small helpers for writing SQL text. Identifiers are always double-quoted; values never
// appear in SQL text (they are bound).
#include <string>
#include <string_view>

namespace ds::db::query {

inline void append_identifier(std::string& sql, std::string_view name) {
  sql += '"';
  for (char c : name) {
    if (c == '"') sql += '"';
    sql += c;
  }
  sql += '"';
}

}  // namespace ds::db::query
