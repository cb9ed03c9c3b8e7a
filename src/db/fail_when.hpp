#pragma once
// A statement that fails when a condition holds: how a batch, which runs in one round trip and
// cannot branch, checks state it read in an earlier round trip (or state it just wrote) before
// anything commits. The batch is all-or-nothing, so a failing guard undoes all of it; the
// caller recognises its guard by the failing statement's index (BatchError).
#include <string>
#include <string_view>

namespace ds::db {

// `condition` is an SQL boolean expression (subqueries and bound parameters allowed). SQL has
// no RAISE outside triggers; json() of malformed text is an error on every SQLite-family
// engine (SQLite, sqld, tursodb), and CASE evaluates it only when the condition holds.
inline std::string fail_when(std::string_view condition) {
  std::string sql = "SELECT json(CASE WHEN ";
  sql += condition;
  sql += " THEN 'guard failed' ELSE '0' END)";
  return sql;
}

}  // namespace ds::db
