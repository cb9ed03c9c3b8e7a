#include "db/open_database.hpp"

#include "core/error.hpp"
#include "db/turso/turso_database.hpp"
#include "db/turso/turso_url.hpp"

namespace ds::db {

DatabaseTarget target_from_config(const std::string& type, const Config& config) {
  return DatabaseTarget{type,
                        config.sqlite_path,
                        config.turso_url,
                        config.turso_token,
                        config.turso_connect_timeout_ms,
                        config.turso_timeout_ms};
}

std::optional<std::string> configuration_problem(const DatabaseTarget& target) {
  if (target.type == "sqlite") {
    if (target.sqlite_path.empty())
      return "SQLite configuration incomplete. Required: SQLITE_DB_PATH";
    return std::nullopt;
  }
  if (target.type == "turso") {
    if (!target.turso_url || !target.turso_token) {
      return "Turso configuration incomplete. Required: TURSO_DATABASE_URL, TURSO_AUTH_TOKEN";
    }
    try {
      turso::parse_endpoint(*target.turso_url);
    } catch (const Error& e) {
      return e.what();
    }
    return std::nullopt;
  }
  return "Unknown database type '" + target.type + "'. Accepted: sqlite, turso";
}

std::shared_ptr<Connection> open_database(const DatabaseTarget& target, OpenMode mode) {
  if (auto problem = configuration_problem(target)) throw Error(Errc::validation, *problem);
  if (target.type == "sqlite") return open_sqlite(target.sqlite_path, mode);
  TursoOptions options{*target.turso_url, target.turso_token, {}};
  options.http.connect_timeout = std::chrono::milliseconds(target.turso_connect_timeout_ms);
  options.http.total_timeout = std::chrono::milliseconds(target.turso_timeout_ms);
  // No request yet: the first statement (the migrate stage's read) proves the server answers
  // and accepts the token before anything is persisted, one round trip fewer than a ping.
  return std::make_shared<TursoDatabase>(options);
}

}  // namespace ds::db
