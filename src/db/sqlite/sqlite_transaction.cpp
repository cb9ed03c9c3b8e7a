#include "db/sqlite/sqlite_transaction.hpp"

namespace ds::db {

std::vector<Result> run_each(Executor& executor, std::span<const Statement> statements) {
  std::vector<Result> results;
  results.reserve(statements.size());
  for (std::size_t i = 0; i < statements.size(); ++i) {
    try {
      results.push_back(executor.execute(statements[i].sql, statements[i].params));
    } catch (const Error& e) {
      throw BatchError(e, i);
    }
  }
  return results;
}

Result SqliteTransaction::execute(std::string_view sql, std::span<const Value> params) {
  return handle_.execute(sql, params);
}

std::int64_t SqliteTransaction::stream(std::string_view sql, std::span<const Value> params,
                                       RowSink& sink) {
  return handle_.stream(sql, params, sink);
}

std::vector<Result> SqliteTransaction::batch(std::span<const Statement> statements) {
  std::vector<Result> results;
  savepoint([&](Transaction& t) { results = run_each(t, statements); });
  return results;
}

void SqliteTransaction::savepoint(const std::function<void(Transaction&)>& body) {
  handle_.execute("SAVEPOINT ds_nested", {});
  try {
    body(*this);
  } catch (...) {
    handle_.execute("ROLLBACK TO ds_nested", {});
    handle_.execute("RELEASE ds_nested", {});
    throw;
  }
  handle_.execute("RELEASE ds_nested", {});
}

}  // namespace ds::db
