#pragma once
// Verified copies of a database, and putting one back: the capability behind `db backup`,
// `db restore` and POST /api/db/backup. Which databases have it is the drivers' business: a
// SQLite file is copied with SQLite's online backup API (db/sqlite/sqlite_backup.hpp); a
// database without a local file (Turso) throws BackupNotSupported, whose message says what to
// use instead. Callers never ask for the database type.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "db/migrate/folder.hpp"
#include "db/migrate/runner.hpp"
#include "db/open_database.hpp"

namespace ds::db {

// This database is not copied by deploystack; what() says what to use instead (for the
// operator and for the 400 answer: no secret in it). Code: validation.
class BackupNotSupported : public Error {
 public:
  explicit BackupNotSupported(const std::string& message) : Error(Errc::validation, message) {}
};

struct BackupOptions {
  // Pages copied per sqlite3_backup_step: between steps the source is free for other
  // connections (DEPLOYSTACK_BACKUP_STEP_PAGES).
  int pages_per_step = 256;
  // A pause between steps, to leave disk and CPU to the server (DEPLOYSTACK_BACKUP_STEP_PAUSE_MS;
  // the tests use it to make a copy slow enough to kill).
  std::chrono::milliseconds pause_between_steps{0};
  // Called after each step with the pages copied so far and the total; may be empty.
  std::function<void(int copied, int total)> progress;
};

// A copy that passed PRAGMA integrity_check and holds the same `__drizzle_migrations` rows as
// the database it was made from.
struct VerifiedCopy {
  std::filesystem::path file;
  std::uintmax_t bytes = 0;
  std::vector<migrate::AppliedRow> migrations;  // ordered by created_at
};

// Throws BackupNotSupported when `target` has no copy deploystack can make or restore.
void require_file_copies(const DatabaseTarget& target);

// Copies `target`'s database into `file` while it keeps serving: one consistent snapshot
// (everything committed before the copy began, nothing after), written to a temp name beside
// `file` and renamed onto it only once verified (fsync of file and folder: a crash leaves no
// partial file under `file`). Throws BackupNotSupported, ds::Error(not_found) when the
// database file does not exist, ds::Error(internal) when the copy fails verification,
// ds::Error(io / storage_full) from the disk.
VerifiedCopy backup_database(const DatabaseTarget& target, const std::filesystem::path& file,
                             const BackupOptions& options);

struct Restored {
  VerifiedCopy copy;                              // what the database now is
  std::optional<std::filesystem::path> previous;  // where the replaced database was kept
};

// Replaces `target`'s database with the copy in `file`. The copy is refused (ds::Error
// validation, nothing changed) when it is not a SQLite database, fails integrity_check, or
// holds a migration that is not one of `known` (made by a newer deploystack). The current
// database is kept as "<db>.before-restore-<UTC time>" and the copy takes its place with one
// rename; a WAL left by the old file never meets the new one. The caller holds the data
// folder lock (core/data_dir_lock.hpp): nothing else may have the database open.
Restored restore_database(const DatabaseTarget& target, const std::filesystem::path& file,
                          const std::vector<migrate::Migration>& known,
                          const BackupOptions& options);

// "20250102T182215.123Z": UTC time for file names (no ':' for shells, scp and other systems).
std::string file_timestamp(TimePoint t);

}  // namespace ds::db
