#include "db/turso/write_counts.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cctype>
#include <cstdint>

namespace ds::db::turso {
namespace {

bool starts_with_keyword(std::string_view sql, std::string_view keyword) noexcept {
  while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front())))
    sql.remove_prefix(1);
  if (sql.size() < keyword.size()) return false;
  for (std::size_t i = 0; i < keyword.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(sql[i])) != keyword[i]) return false;
  }
  return sql.size() == keyword.size() ||
         !std::isalnum(static_cast<unsigned char>(sql[keyword.size()]));
}

bool is_insert(std::string_view sql) noexcept {
  return starts_with_keyword(sql, "INSERT") || starts_with_keyword(sql, "REPLACE");
}

enum class Counting { none, after, around };

Counting counting_for(std::string_view sql) noexcept {
  if (is_insert(sql) || starts_with_keyword(sql, "UPDATE") || starts_with_keyword(sql, "DELETE"))
    return Counting::after;
  if (starts_with_keyword(sql, "WITH")) return Counting::around;
  return Counting::none;
}

constexpr std::string_view kTotalBefore = "SELECT total_changes()";
constexpr std::string_view kCountsAfter = "SELECT changes(), last_insert_rowid(), total_changes()";

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

bool is_read(std::string_view sql) noexcept {
  return starts_with_keyword(sql, "SELECT") || starts_with_keyword(sql, "VALUES");
}

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
  Parts p;
  p.sql = sql;
  const auto push = [&](std::string_view text, std::span<const Value> values) {
    steps_.push_back({text, values});
    owner_.push_back(statement);
    return steps_.size() - 1;
  };
  const Counting counting = counting_for(sql);
  if (counting == Counting::around) p.before = push(kTotalBefore, {});
  p.own = push(sql, params);
  if (counting != Counting::none) p.after = push(kCountsAfter, {});
  parts_.push_back(p);
}

std::size_t CountedSteps::first_step(std::size_t i) const {
  return parts_[i].before.value_or(parts_[i].own);
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
  const auto total_after = count_at(step_results[*p.after], 2);
  const auto total_before = p.before ? count_at(step_results[*p.before], 0) : std::nullopt;
  if (!changes || !total_after || (p.before && !total_before)) {
    warn_once_uncounted();
    if (r.rows_affected < 0) r.rows_affected = 0;
  } else {
    const bool wrote = !p.before || *total_before != *total_after;
    r.rows_affected = wrote ? *changes : 0;
    if (rowid && r.rows_affected > 0) r.last_insert_rowid = *rowid;
  }
  if (r.rows_affected == 0 || !is_insert(p.sql)) r.last_insert_rowid.reset();
  return r;
}

}  // namespace ds::db::turso
