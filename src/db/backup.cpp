#include "db/backup.hpp"

#include "db/sqlite/sqlite_backup.hpp"
#include "db/turso/turso_backup.hpp"

namespace ds::db {

void require_file_copies(const DatabaseTarget& target) {
  switch (target.type) {
    case DatabaseType::sqlite:
      return;
    case DatabaseType::turso:
      throw BackupNotSupported(std::string(turso::kBackupAdvice));
  }
  throw Error(Errc::internal, "unknown database type");
}

VerifiedCopy backup_database(const DatabaseTarget& target, const std::filesystem::path& file,
                             const BackupOptions& options) {
  require_file_copies(target);
  return sqlite_backup(target.sqlite_path, file, options);
}

Restored restore_database(const DatabaseTarget& target, const std::filesystem::path& file,
                          const std::vector<migrate::Migration>& known,
                          const BackupOptions& options) {
  require_file_copies(target);
  return sqlite_restore(target.sqlite_path, file, known, options);
}

std::string file_timestamp(TimePoint t) {
  std::string out;
  for (const char c : to_iso8601(t)) {
    if (c != '-' && c != ':') out.push_back(c);
  }
  return out;
}

}  // namespace ds::db
