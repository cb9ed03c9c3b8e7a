#include "db/open_database.hpp"

#include "core/error.hpp"

namespace ds::db {

DatabaseTarget target_from_config(const std::string& type, const Config& config) {
  return DatabaseTarget{type, config.sqlite_path, config.turso_url, config.turso_token};
}

std::optional<std::string> configuration_problem(const DatabaseTarget& target) {
  if (target.type == "sqlite") {
    if (target.sqlite_path.empty()) return "SQLite configuration incomplete. Required: SQLITE_DB_PATH";
    return std::nullopt;
  }
  if (target.type == "turso") {
    if (!target.turso_url || !target.turso_token) {
      return "Turso configuration incomplete. Required: TURSO_DATABASE_URL, TURSO_AUTH_TOKEN";
    }
    const std::string& url = *target.turso_url;
    if (!url.starts_with("libsql://") && !url.starts_with("https://") && !url.starts_with("http://")) {
      return "TURSO_DATABASE_URL has an unsupported scheme. Accepted: libsql://, https://, http://";
    }
    return std::nullopt;
  }
  return "Unknown database type '" + target.type + "'. Accepted: sqlite, turso";
}

std::shared_ptr<Connection> open_database(const DatabaseTarget& target, OpenMode mode) {
  if (auto problem = configuration_problem(target)) throw Error(Errc::validation, *problem);
  if (target.type == "sqlite") return open_sqlite(target.sqlite_path, mode);
  throw Error(Errc::unavailable, "The Turso driver is not available in this build yet");
}

}  // namespace ds::db
