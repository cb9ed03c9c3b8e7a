#pragma once
// A migration folder on disk (drizzle/migrations_sqlite/): its journal, its .sql files in
// journal order with their hashes, its latest snapshot, and writing the next migration.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "db/migrate/journal.hpp"
#include "db/migrate/snapshot.hpp"

namespace ds::db::migrate {

struct Migration {
  JournalEntry entry;
  std::filesystem::path file;  // <folder>/<tag>.sql
  std::string sql;             // the whole file, unsplit
  std::string hash;            // lowercase hex SHA-256 of `sql`, as drizzle records it
};

class MigrationFolder {
 public:
  // Throws ds::Error(io) naming the folder when it does not exist.
  explicit MigrationFolder(std::filesystem::path dir);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path journal_path() const { return dir_ / "meta" / "_journal.json"; }

  // The journal; an empty one when the folder has none yet (before the first generate).
  Journal journal() const;
  // Every journal entry's file, read and hashed, in journal order. A listed file that is
  // missing is an error naming it; files not in the journal are ignored.
  std::vector<Migration> migrations() const;
  // The lexicographically last meta/*_snapshot.json, or nullopt in a new folder.
  std::optional<Snapshot> latest_snapshot() const;
  // Every snapshot file, sorted by name.
  std::vector<std::filesystem::path> snapshot_files() const;

  // Writes <tag>.sql, meta/NNNN_snapshot.json and the journal entry. Returns the .sql path.
  std::filesystem::path write_next(const std::string& name, const std::string& sql_text, const Snapshot& snapshot,
                                   bool custom_layout, std::int64_t when_ms);

 private:
  std::filesystem::path dir_;
};

// Where the migrations are: the --migrations flag, else DEPLOYSTACK_MIGRATIONS_DIR, else beside
// the binary: <exe>/../share/deploystack/migrations_sqlite (installed), <exe>/../drizzle/
// migrations_sqlite (a build folder inside the source tree), <exe>/drizzle/migrations_sqlite.
// Throws ds::Error(io) listing the places it looked when none exists: never silently none.
std::filesystem::path locate_migrations(const std::optional<std::string>& flag,
                                        const std::optional<std::string>& env_value);

}  // namespace ds::db::migrate
