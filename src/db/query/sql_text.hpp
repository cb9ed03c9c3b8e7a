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

// Removes the `"table".` qualifier from every column in sql[from..]. A single-table UPDATE or
// DELETE needs none, and some libSQL servers (tursodb 0.6) cannot resolve a qualified column
// of a mixed-case table there. Safe because SQL text holds only identifiers, never values.
inline void unqualify_columns(std::string& sql, std::size_t from, std::string_view table) {
  std::string prefix;
  append_identifier(prefix, table);
  prefix += '.';
  std::size_t out = from;
  for (std::size_t in = from; in < sql.size();) {
    if (sql.compare(in, prefix.size(), prefix) == 0) {
      in += prefix.size();
    } else {
      sql[out++] = sql[in++];
    }
  }
  sql.resize(out);
}

}  // namespace ds::db::query
