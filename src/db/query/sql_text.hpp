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

// How a column is named in SQL text: `"table"."column"` where several tables may be in scope
// (SELECT), bare `"column"` where only the written table is (a single-table UPDATE or DELETE,
// where a qualifier adds nothing and some libSQL servers cannot resolve one).
enum class Names { qualified, bare };

}  // namespace ds::db::query
