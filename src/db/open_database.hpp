#pragma once
// The one place that knows which driver serves which database type.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "db/connection.hpp"
#include "db/sqlite/sqlite_database.hpp"

namespace ds::db {

struct DatabaseTarget {
  std::string type;  // "sqlite" or "turso"
  std::filesystem::path sqlite_path;
  std::optional<std::string> turso_url;
  std::optional<Secret> turso_token;
  std::uint32_t turso_connect_timeout_ms = 5000;
  std::uint32_t turso_timeout_ms = 30000;
  std::uint64_t turso_max_response_bytes = std::uint64_t{16} << 20;
};

DatabaseTarget target_from_config(const std::string& type, const Config& config);

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
