#include "db/open_database.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "db/turso/turso_url.hpp"

namespace ds::db {
namespace {

constexpr std::string_view kSetSqlitePath =
    "Set SQLITE_DB_PATH to the path of a database file, e.g. "
    "persistent_data/database/deploystack.db";

std::optional<std::string> sqlite_path_problem(const std::filesystem::path& path) {
  const std::string text = path.string();
  if (text.empty()) return "SQLite configuration incomplete. Required: SQLITE_DB_PATH";
  // SQLite reads these as a database in memory (or, as URIs, possibly so): its data would be
  // gone at the next restart.
  if (text == ":memory:" || text.starts_with("file:")) {
    return fmt::format(
        "SQLITE_DB_PATH '{}' is not a file path: the data would not survive a restart. {}", text,
        kSetSqlitePath);
  }
  std::error_code ec;
  if (text.ends_with('/') || std::filesystem::is_directory(path, ec)) {
    return fmt::format("SQLITE_DB_PATH '{}' is a folder, not a database file. {}", text,
                       kSetSqlitePath);
  }
  return std::nullopt;
}

}  // namespace

DatabaseTarget target_from_config(DatabaseType type, const Config& config) {
  return {type, config.sqlite_path, config.sqlite, config.turso};
}

std::optional<std::filesystem::path> database_file(const DatabaseTarget& target) {
  switch (target.type) {
    case DatabaseType::sqlite:
      return target.sqlite_path;
    case DatabaseType::turso:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> configuration_problem(const DatabaseTarget& target) {
  switch (target.type) {
    case DatabaseType::sqlite:
      return sqlite_path_problem(target.sqlite_path);
    case DatabaseType::turso:
      if (target.turso.url.empty() || !target.turso.token) {
        return "Turso configuration incomplete. Required: TURSO_DATABASE_URL, TURSO_AUTH_TOKEN";
      }
      try {
        turso::parse_endpoint(target.turso.url);
      } catch (const Error& e) {
        return e.what();
      }
      if (auto problem = turso::header_secret_problem(*target.turso.token, "TURSO_AUTH_TOKEN"))
        return problem;
      if (target.turso.encryption_key)
        return turso::header_secret_problem(*target.turso.encryption_key, "TURSO_ENCRYPTION_KEY");
      return std::nullopt;
  }
  return std::nullopt;
}

std::shared_ptr<Connection> open_database(const DatabaseTarget& target, OpenMode mode) {
  if (auto problem = configuration_problem(target)) throw Error(Errc::validation, *problem);
  switch (target.type) {
    case DatabaseType::sqlite:
      return open_sqlite(target.sqlite_path, mode, target.sqlite);
    case DatabaseType::turso:
      // No request yet: the first statement (the migrate stage's read) proves the server
      // answers and accepts the token before anything is persisted, one round trip fewer than
      // a ping.
      return std::make_shared<TursoDatabase>(target.turso);
  }
  throw Error(Errc::internal, "unknown database type");
}

}  // namespace ds::db
