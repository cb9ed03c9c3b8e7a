#include "db/turso/write_counts.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdint>

#include "db/sql_keyword.hpp"

namespace ds::db::turso {
namespace {

// Whether the statement proper (after a WITH clause) writes rows that changes() counts.
bool counts_rows(std::string_view sql) noexcept {
  const std::string_view keyword = sql_keyword::statement(sql);
  return sql_keyword::equals(keyword, "INSERT") || sql_keyword::equals(keyword, "REPLACE") ||
         sql_keyword::equals(keyword, "UPDATE") || sql_keyword::equals(keyword, "DELETE");
}

constexpr std::string_view kCountsAfter = "SELECT changes(), last_insert_rowid()";

// The integer in column `col` of a counting step's one row, or nullopt when it is not there.
std::optional<std::int64_t> count_at(const std::optional<Result>& r, std::size_t col) {
  if (!r || r->row_count() != 1 || r->columns.size() <= col) return std::nullopt;
  const auto* n = std::get_if<std::int64_t>(&r->row(0)[col]);
  return n != nullptr ? std::optional(*n) : std::nullopt;
}

void warn_once_uncounted() {
  static std::atomic<bool> warned{false};
  if (!warned.exchange(true)) {
    spdlog::warn(
        "turso: the server did not answer a write's changes() query; rows_affected "
        "is the server's own report");
  }
}

}  // namespace

CountedSteps::CountedSteps(std::span<const Statement> statements) {
  steps_.reserve(statements.size() * 2);
  parts_.reserve(statements.size());
  for (const auto& s : statements) add(s.sql, s.params);
}

CountedSteps::CountedSteps(std::string_view sql, std::span<const Value> params) {
  add(sql, params);
}

void CountedSteps::add(std::string_view sql, std::span<const Value> params) {
  const std::size_t statement = parts_.size();
  const auto push = [&](std::string_view text, std::span<const Value> values) {
    steps_.push_back({text, values});
    owner_.push_back(statement);
    return steps_.size() - 1;
  };
  Parts p;
  p.sql = sql;
  p.own = push(sql, params);
  if (counts_rows(sql)) p.after = push(kCountsAfter, {});
  parts_.push_back(p);
}

std::size_t CountedSteps::last_step(std::size_t i) const {
  return parts_[i].after.value_or(parts_[i].own);
}

Result CountedSteps::result(std::size_t i, std::span<std::optional<Result>> step_results) const {
  const Parts& p = parts_[i];
  Result r = std::move(*step_results[p.own]);
  if (!p.after) {
    // Reads write nothing; other statements (DDL, PRAGMA, BEGIN ...) count nothing either.
    r.rows_affected = 0;
    r.last_insert_rowid.reset();
    return r;
  }
  const auto changes = count_at(step_results[*p.after], 0);
  const auto rowid = count_at(step_results[*p.after], 1);
  if (!changes) {
    warn_once_uncounted();
    if (r.rows_affected < 0) r.rows_affected = 0;
  } else {
    r.rows_affected = *changes;
    if (rowid && r.rows_affected > 0) r.last_insert_rowid = *rowid;
  }
  if (r.rows_affected == 0 || !sql_keyword::is_insert(p.sql)) r.last_insert_rowid.reset();
  return r;
}

}  // namespace ds::db::turso
