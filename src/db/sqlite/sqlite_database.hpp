#pragma once
// The embedded SQLite driver: one writer connection that commits concurrent writes together
// (sqlite_writer.hpp), and a pool of read-only connections, so reads run in parallel and never
// wait for writes; each connection keeps its prepared statements.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "core/sqlite_options.hpp"
#include "db/connection.hpp"

namespace ds::db {

enum class OpenMode {
  must_exist,         // a missing file is an error (server start: never invent a database)
  create_if_missing,  // setup and `db up` create the file and its folder
};

// Opens (and checks) the database: WAL, foreign_keys=ON, busy_timeout, synchronous as
// `options` say (NORMAL by default), double-quoted string literals off. Throws ds::Error(io)
// naming the path when it cannot.
std::shared_ptr<Connection> open_sqlite(const std::filesystem::path& path, OpenMode mode,
                                        const SqliteOptions& options = {});

// What the writer has done since the database was opened: for metrics and tests.
struct SqliteWriteStats {
  std::uint64_t writes = 0;         // write calls (statements, batches, transactions) run
  std::uint64_t groups = 0;         // transactions that committed one or more of them
  std::uint64_t largest_group = 0;  // most write calls committed in one transaction
  // Write calls that failed on their own (a constraint) inside a group whose others committed.
  std::uint64_t failed_in_group = 0;
  std::uint64_t checkpoints = 0;    // checkpoints run (PASSIVE and RESTART)
  std::uint64_t restarts = 0;       // RESTART checkpoints that let the WAL start over
  std::int64_t wal_frames = 0;      // frames in the WAL after the last commit
  std::uint64_t waiting = 0;        // write calls queued for the writer right now
  std::uint64_t wal_file_bytes = 0;  // the -wal file's size on disk (0: none)
};

// The writer's statistics when `db` is a SQLite database opened by open_sqlite; nullopt for
// any other driver.
std::optional<SqliteWriteStats> sqlite_write_stats(const Connection& db);

}  // namespace ds::db
