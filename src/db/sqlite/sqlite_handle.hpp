#pragma once
// One sqlite3 connection with its prepared-statement cache. Not thread-safe: the pool hands
// each handle to one thread at a time, and the writer's handle is used by one leader at a time.
#include <sqlite3.h>

#include <atomic>
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
  enum class Role {
    writer,  // the one connection that writes (sqlite_writer.hpp); it counts the WAL's frames
    reader,  // a pool connection: query_only, so a write can never start on it by mistake
  };

  SqliteHandle(const std::filesystem::path& path, OpenMode mode, Role role,
               const SqliteOptions& options);
  SqliteHandle(const SqliteHandle&) = delete;
  SqliteHandle& operator=(const SqliteHandle&) = delete;
  ~SqliteHandle();

  Result execute(std::string_view sql, std::span<const Value> params);
  // Connection::stream(): rows go to `sink` straight from the statement.
  std::int64_t stream(std::string_view sql, std::span<const Value> params, RowSink& sink);
  // For statements that are run once (BEGIN, COMMIT, PRAGMA): no cache entry.
  void exec_uncached(const char* sql);
  // Whether `sql` only reads (sqlite3_stmt_readonly): SELECTs and read-only PRAGMAs, not
  // INSERT/UPDATE/DELETE/DDL nor `WITH ... INSERT`. The statement stays cached.
  bool reads_only(std::string_view sql);
  // Whether no transaction is open (sqlite3_get_autocommit): after SQLITE_FULL or an I/O error
  // SQLite may have rolled the whole transaction back by itself.
  bool autocommit() const noexcept { return sqlite3_get_autocommit(db_) != 0; }
  // Frames in the WAL after this handle's last commit (writer only; 0 on readers).
  int wal_frames() const noexcept { return wal_frames_.load(std::memory_order_relaxed); }

  struct Checkpointed {
    bool complete = false;  // every frame is in the database file (the WAL can start over)
    bool busy = false;      // a reader or another process kept it from finishing
  };
  // sqlite3_wal_checkpoint_v2: PASSIVE, or RESTART waiting at most `wait` for readers to move
  // off the WAL (instead of the usual busy timeout, which would hold writes up for seconds).
  Checkpointed checkpoint(bool restart, int wait_ms);

  // Whether the database file is in WAL mode (journal_mode=WAL can be refused: an in-memory
  // database, a file system without shared memory, another process's exclusive lock).
  bool wal() const noexcept { return wal_; }

 private:
  struct Cached {
    sqlite3_stmt* stmt;
    bool is_insert;
    bool readonly;
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
    Cached statement{nullptr, false, true};
  };

  Cached compile(std::string_view sql);
  // The cached statement for `sql`; a fresh one (held by `fresh`) when the cached one is
  // mid-step: a query run from inside a row callback of the same statement, on the same
  // handle (a for_each inside a transaction).
  Cached& prepare(std::string_view sql, Fresh& fresh);
  // The one step loop: binds, steps to the end handing each row to `sink`, resets.
  Written run(Cached& cached, std::span<const Value> params, RowSink& sink);

  static int on_wal_commit(void* self, sqlite3* db, const char* schema, int frames);

  sqlite3* db_ = nullptr;
  bool wal_ = false;
  std::atomic<int> wal_frames_{0};  // read by stats() on any thread
  std::unordered_map<std::string, Cached, Hash, std::equal_to<>> cache_;
};

// Throws the ds::Error that matches SQLite's extended result code `rc`.
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view context);

}  // namespace ds::db
