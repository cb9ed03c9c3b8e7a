#pragma once
// A write's rows_affected and last_insert_rowid, read from the server's own connection in the
// same request. Servers disagree on what they report (tursodb 0.6 reports 0 rows and no rowid
// for every statement), so the driver asks the connection: after an INSERT, REPLACE, UPDATE or
// DELETE (after a WITH clause too), `SELECT changes(), last_insert_rowid()` runs next to it,
// as the next request of the pipeline or the next step of the batch. Reads and other
// statements (DDL, PRAGMA, BEGIN ...) report 0, as on SQLite.
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "db/connection.hpp"
#include "db/result.hpp"
#include "db/turso/hrana_codec.hpp"

namespace ds::db::turso {

// Statements as the steps to send: each one with its counting steps around it.
class CountedSteps {
 public:
  explicit CountedSteps(std::span<const Statement> statements);
  CountedSteps(std::string_view sql, std::span<const Value> params);

  std::span<const hrana::Step> steps() const noexcept { return steps_; }
  std::size_t statement_count() const noexcept { return parts_.size(); }
  // The statement a step belongs to (its own step or one of its counting steps).
  std::size_t statement_of(std::size_t step) const { return owner_[step]; }
  // The steps of statement i: [own_step, last_step]: the statement itself, then its counts.
  std::size_t last_step(std::size_t i) const;
  std::size_t own_step(std::size_t i) const { return parts_[i].own; }

  // Statement i's result out of the steps' results (indexed like steps(); null when a step
  // failed or did not run), with its counts applied. Without its counting steps' results
  // (a server that cannot run them) the server's own report is kept.
  Result result(std::size_t i, std::span<std::optional<Result>> step_results) const;

 private:
  void add(std::string_view sql, std::span<const Value> params);
  struct Parts {
    std::size_t own = 0;
    std::optional<std::size_t> after;
    std::string_view sql;
  };
  std::vector<hrana::Step> steps_;
  std::vector<std::size_t> owner_;
  std::vector<Parts> parts_;
};

}  // namespace ds::db::turso
