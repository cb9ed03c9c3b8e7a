#pragma once
// The only thing the upper layers know about a database. Every driver (SQLite, Turso) gives
// the same results and the same ds::Error codes for the same situation: callers never ask
// which database they talk to.
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "db/result.hpp"
#include "db/row.hpp"
#include "db/value.hpp"

namespace ds::db {

struct Statement {
  std::string sql;
  std::vector<Value> params;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Runs one statement with positional parameters (?1, ?2 ... or ?). Thread-safe.
  // Throws ds::Error: constraint, busy, io, misuse, unavailable, auth.
  virtual Result execute(std::string_view sql, std::span<const Value> params = {}) = 0;

  // Runs one statement like execute(), but hands each result row to `sink` as it is read
  // instead of collecting a Result (no copy of the cells). Returns the rows written (as
  // Result::rows_affected). Thread-safe. Throws what execute() throws and what `sink` throws.
  // This default goes through execute(); a driver that can read rows in place overrides it.
  virtual std::int64_t stream(std::string_view sql, std::span<const Value> params, RowSink& sink) {
    const Result result = execute(sql, params);
    stream_rows(result, sink);
    return result.rows_affected;
  }

  // Runs all statements atomically: all of them or none. Thread-safe.
  virtual std::vector<Result> batch(std::span<const Statement> statements) = 0;

  // Runs `body` inside one write transaction; commits when it returns, rolls back when it
  // throws (and rethrows). The Connection given to `body` is the transaction's: use only it.
  virtual void transaction(const std::function<void(Connection&)>& body) = 0;

  // For schema migrations (table rebuilds): like transaction(), but foreign-key enforcement is
  // off while `body` runs, so DROP TABLE of a parent never cascades to its children. On one
  // underlying connection: `PRAGMA foreign_keys=OFF`, `BEGIN IMMEDIATE` (the write lock is
  // taken before `body` reads anything), body, `COMMIT`, then `PRAGMA foreign_keys=ON` also
  // when body throws (ROLLBACK, then ON, then rethrow). The caller checks integrity itself
  // (`PRAGMA foreign_key_check` as body's last statement). Not pure only so that a driver
  // written in parallel still compiles; every driver overrides it.
  virtual void migration_transaction(const std::function<void(Connection&)>& body) {
    (void)body;
    throw Error(Errc::unavailable, "this database driver cannot run migrations");
  }

  // "sqlite" or "turso": for status reports and logs, never for branching.
  virtual std::string_view dialect() const noexcept = 0;
};

}  // namespace ds::db
