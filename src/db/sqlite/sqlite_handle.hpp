#pragma once
// One sqlite3 connection with its prepared-statement cache. Not thread-safe: the pool hands
// each handle to one thread at a time.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "db/result.hpp"
#include "db/row.hpp"
#include "db/sqlite/sqlite_database.hpp"

namespace ds::db {

class SqliteHandle {
 public:
  SqliteHandle(const std::filesystem::path& path, OpenMode mode);
  SqliteHandle(const SqliteHandle&) = delete;
  SqliteHandle& operator=(const SqliteHandle&) = delete;
  ~SqliteHandle();

  Result execute(std::string_view sql, std::span<const Value> params);
  // Connection::stream(): rows go to `sink` straight from the statement.
  std::int64_t stream(std::string_view sql, std::span<const Value> params, RowSink& sink);
  // For statements that are run once (BEGIN, COMMIT, PRAGMA): no cache entry.
  void exec_uncached(const char* sql);
  // Whether the database file is in WAL mode (journal_mode=WAL can be refused: an in-memory
  // database, a file system without shared memory, another process's exclusive lock).
  bool wal() const noexcept { return wal_; }

 private:
  struct Cached {
    sqlite3_stmt* stmt;
    bool is_insert;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  struct Written {
    std::int64_t rows_affected = 0;
    std::optional<std::int64_t> last_insert_rowid;
  };

  // A statement that is not cached, finalized when the call that needed it ends.
  struct Fresh {
    Fresh() = default;
    Fresh(const Fresh&) = delete;
    Fresh& operator=(const Fresh&) = delete;
    ~Fresh() { sqlite3_finalize(statement.stmt); }
    Cached statement{nullptr, false};
  };

  Cached compile(std::string_view sql);
  // The cached statement for `sql`; a fresh one (held by `fresh`) when the cached one is
  // mid-step: a query run from inside a row callback of the same statement, on the same
  // handle (a for_each inside a transaction).
  Cached& prepare(std::string_view sql, Fresh& fresh);
  // The one step loop: binds, steps to the end handing each row to `sink`, resets.
  Written run(Cached& cached, std::span<const Value> params, RowSink& sink);

  sqlite3* db_ = nullptr;
  bool wal_ = false;
  std::unordered_map<std::string, Cached, Hash, std::equal_to<>> cache_;
};

// Throws the ds::Error that matches SQLite's extended result code `rc`.
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view context);

}  // namespace ds::db
