#pragma once
// The one place that knows which driver serves which database type.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "db/connection.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "db/turso/turso_database.hpp"

namespace ds::db {

// A database to open: its type and that driver's own options (the others are unused).
struct DatabaseTarget {
  DatabaseType type = DatabaseType::sqlite;
  std::filesystem::path sqlite_path;  // SQLITE_DB_PATH
  SqliteOptions sqlite;               // SQLITE_SYNCHRONOUS
  TursoOptions turso;                 // url empty when TURSO_DATABASE_URL is unset
};

DatabaseTarget target_from_config(DatabaseType type, const Config& config);

// The local file that holds the database, when it has one (recorded in the selection file
// for the operator).
std::optional<std::filesystem::path> database_file(const DatabaseTarget& target);

// Why `target` cannot be used as configured, written for the operator (names the variables
// to set, never their secret values); nullopt when it looks usable. Refused besides missing
// values: a SQLite path whose data would not survive a restart (`:memory:`, `file:` URIs) or
// that names a folder, and a token with a control character (it would split the header).
std::optional<std::string> configuration_problem(const DatabaseTarget& target);

// Opens the database. Throws ds::Error (io, unavailable, auth, validation) with a message
// that is safe to show: it never contains a token. A remote database is not contacted yet:
// its first statement fails with unavailable or auth when it cannot be used.
std::shared_ptr<Connection> open_database(const DatabaseTarget& target, OpenMode mode);

}  // namespace ds::db
