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

  Cached& prepare(std::string_view sql);
  // The one step loop: binds, steps to the end handing each row to `sink`, resets.
  Written run(Cached& cached, std::span<const Value> params, RowSink& sink);

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Cached, Hash, std::equal_to<>> cache_;
};

// Throws the ds::Error that matches SQLite's extended result code `rc`.
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view context);

}  // namespace ds::db
