#pragma once
// Everything the server reads from its environment, read once at start.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/database_type.hpp"
#include "core/env.hpp"
#include "core/secret.hpp"
#include "core/sqlite_options.hpp"
#include "core/turso_options.hpp"

namespace ds {

struct Config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;  // 0 asks the OS for a free port (tests use it)
  std::filesystem::path data_dir = "persistent_data";
  std::filesystem::path sqlite_path = "persistent_data/database/deploystack.db";
  SqliteOptions sqlite;  // SQLITE_*: what the SQLite driver is opened with besides the path
  std::optional<DatabaseType> db_type;  // DB_TYPE: the fallback when there is no selection file
  TursoOptions turso;                   // TURSO_*: what the Turso driver is opened with
  // DEPLOYSTACK_FRONTEND_URL: the web frontend's origin(s), comma-separated (http/cors.hpp).
  std::optional<std::string> frontend_url;
  std::optional<Secret> setup_token;
  std::optional<Secret> admin_token;        // DEPLOYSTACK_ADMIN_TOKEN: the settings API
  std::optional<Secret> encryption_secret;  // DEPLOYSTACK_ENCRYPTION_SECRET: settings secrets
  std::string log_level = "info";
  std::string log_format = "text";    // LOG_FORMAT: text or json (pino's fields, core/log.hpp)
  std::uint32_t max_connections = 0;  // MAX_CONNECTIONS: 0 derives it from the fd limit
  std::filesystem::path plugins_path = "plugins";  // PLUGINS_PATH: one folder per .so plugin
  // METRICS_PUBLIC=1: GET /metrics answers without the admin token (a scraper inside a
  // private network); unset, it is protected like the settings API.
  bool metrics_public = false;
  bool plugins_strict = true;  // PLUGINS_STRICT=0: a plugin that cannot be loaded is skipped
  // DEPLOYSTACK_MIGRATIONS_DIR: the core migrations; unset, the folder installed beside the
  // binary (db/migrate/folder.hpp, locate_migrations).
  std::optional<std::string> migrations_dir;
  // DEPLOYSTACK_BACKUP_STEP_PAGES / _PAUSE_MS: how a backup copies (db/backup.hpp): pages per
  // step of SQLite's backup API, and a pause between steps (0: none).
  int backup_step_pages = 256;
  std::uint32_t backup_step_pause_ms = 0;

  std::filesystem::path selection_file() const { return data_dir / "db.selection.json"; }

  // Throws ds::Error(validation) naming the variable for a value that cannot be used.
  static Config from_env(const Env& env);
};

}  // namespace ds
