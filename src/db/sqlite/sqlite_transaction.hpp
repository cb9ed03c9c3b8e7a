#pragma once
// The Transaction handed to bodies that run on the writer's handle: statements go straight to
// the handle; batches and savepoints become SQLite savepoints, so a failing inner part rolls
// back only itself.
#include <span>
#include <vector>

#include "db/connection.hpp"
#include "db/sqlite/sqlite_handle.hpp"

namespace ds::db {

// Runs each statement on `executor` in order; a failure names its statement (BatchError).
std::vector<Result> run_each(Executor& executor, std::span<const Statement> statements);

class SqliteTransaction final : public Transaction {
 public:
  explicit SqliteTransaction(SqliteHandle& handle) : handle_(handle) {}

  Result execute(std::string_view sql, std::span<const Value> params) override;
  std::int64_t stream(std::string_view sql, std::span<const Value> params, RowSink& sink) override;
  std::vector<Result> batch(std::span<const Statement> statements) override;
  void savepoint(const std::function<void(Transaction&)>& body) override;
  std::string_view dialect() const noexcept override { return "sqlite"; }

 private:
  SqliteHandle& handle_;
};

}  // namespace ds::db
