#pragma once
// The SQLite side of db/backup.hpp: copies made with SQLite's online backup API
// (sqlite3_backup_step), on connections of their own, so the driver's pool and writer go on
// serving while a copy is made.
#include <filesystem>
#include <vector>

#include "db/backup.hpp"

namespace ds::db {

// backup_database() for the SQLite file `source`.
VerifiedCopy sqlite_backup(const std::filesystem::path& source, const std::filesystem::path& file,
                           const BackupOptions& options);

// restore_database() for the SQLite file `database`.
Restored sqlite_restore(const std::filesystem::path& database, const std::filesystem::path& copy,
                        const std::vector<migrate::Migration>& known, const BackupOptions& options);

}  // namespace ds::db
