#pragma once
// The only thing the upper layers know about a database. Every driver (SQLite, Turso) gives
// the same results and the same ds::Error codes for the same situation: callers never ask
// which database they talk to.
#include <functional>
#include <optional>
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

// A statement of a batch failed; nothing of the batch was applied. Its code and message are
// the statement's own error.
class BatchError : public Error {
 public:
  BatchError(const Error& cause, std::size_t statement_index)
      : Error(cause.code(), cause.what(), cause.native_code()), statement_index_(statement_index) {}
  // 0-based position of the failing statement in the span given to batch().
  std::size_t statement_index() const noexcept { return statement_index_; }

 private:
  std::size_t statement_index_;
};

// What one statement of Connection::execute_each gave: its result or its error.
struct Outcome {
  std::optional<Result> result;
  std::optional<Error> error;
};

class Transaction;

// What runs statements: the database itself (Connection) and a transaction on it alike.
class Executor {
 public:
  virtual ~Executor() = default;

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

  // Runs all statements atomically: all of them or none (inside a transaction: a savepoint).
  // Thread-safe. When a statement fails, throws BatchError naming it.
  virtual std::vector<Result> batch(std::span<const Statement> statements) = 0;

  // "sqlite" or "turso": for status reports and logs, never for branching.
  virtual std::string_view dialect() const noexcept = 0;
};

// One open write transaction, given to the body of Connection::transaction. It offers only
// what is meaningful inside a transaction: statements, atomic batches and savepoints; not
// another transaction, not a migration batch (those do not compile here).
class Transaction : public Executor {
 public:
  // Runs `body` inside a savepoint of this transaction: when it throws, only its own
  // statements are rolled back (and the exception goes on); the transaction stays open.
  virtual void savepoint(const std::function<void(Transaction&)>& body) = 0;
};

// A database. Thread-safe: every call may come from any thread.
class Connection : public Executor {
 public:
  // Runs independent statements in order, in one round trip on remote drivers. Not atomic
  // and not stopped by a failure: each statement gets its own result or error. For reads
  // where one statement may fail on its own (a table that may not exist yet).
  virtual std::vector<Outcome> execute_each(std::span<const Statement> statements);

  // Runs `body` inside one write transaction; commits when it returns, rolls back when it
  // throws (and rethrows). Statements of the transaction go through the Transaction given
  // to `body`, not through this Connection.
  virtual void transaction(const std::function<void(Transaction&)>& body) = 0;

  // For schema migrations (table rebuilds): like batch(), all of `statements` or none, but
  // foreign-key enforcement is off while they run, so DROP TABLE of a parent never cascades
  // to its children, and the commit happens only when no foreign key is violated afterwards
  // (ds::Error(constraint) otherwise). One round trip on remote drivers. A driver whose
  // server cannot check foreign keys logs a warning and commits.
  virtual std::vector<Result> migration_batch(std::span<const Statement> statements) = 0;

  // True when a read can only wait on this process's CPU and the local disk: never on the
  // network, never on a lock another process holds for long (embedded SQLite in WAL mode,
  // where readers do not wait for writers). Callers may then read on threads that must not
  // block (the HTTP server's I/O threads). A capability, not a database type.
  virtual bool reads_never_wait() const noexcept { return false; }
};

}  // namespace ds::db
