#include "core/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "core/error.hpp"

namespace ds {

Config Config::from_env(const Env& env) {
  Config c;
  if (auto v = env.get("HOST")) c.host = *v;
  if (auto v = env.get("PORT")) {
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), port);
    if (ec != std::errc{} || ptr != v->data() + v->size() || port > 65535) {
      throw Error(Errc::validation, fmt::format("PORT must be a number from 0 to 65535, got '{}'", *v));
    }
    c.port = static_cast<std::uint16_t>(port);
  }
  if (auto v = env.get("SQLITE_DB_PATH")) c.sqlite_path = *v;
  if (auto v = env.get("SQLITE_SYNCHRONOUS")) {
    if (*v == "normal")
      c.sqlite.synchronous = SqliteSynchronous::normal;
    else if (*v == "full")
      c.sqlite.synchronous = SqliteSynchronous::full;
    else
      throw Error(Errc::validation,
                  fmt::format("SQLITE_SYNCHRONOUS must be 'normal' or 'full', got '{}'", *v));
  }
  if (auto v = env.get("DB_TYPE")) {
    c.db_type = parse_database_type(*v);
    if (!c.db_type) {
      throw Error(Errc::validation, fmt::format("DB_TYPE must be 'sqlite' or 'turso', got '{}'", *v));
    }
  }
  if (auto v = env.get("TURSO_DATABASE_URL")) c.turso.url = *v;
  if (auto v = env.get("TURSO_AUTH_TOKEN")) c.turso.token = Secret(*v);
  if (auto v = env.get("TURSO_ENCRYPTION_KEY"); v && !v->empty())
    c.turso.encryption_key = Secret(*v);
  for (auto [name, field] : {std::pair{"TURSO_CONNECT_TIMEOUT_MS", &c.turso.connect_timeout},
                             std::pair{"TURSO_TIMEOUT_MS", &c.turso.total_timeout}}) {
    auto v = env.get(name);
    if (!v) continue;
    std::uint32_t ms = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), ms);
    if (ec != std::errc{} || ptr != v->data() + v->size() || ms == 0) {
      throw Error(Errc::validation, fmt::format("{} must be a positive number of milliseconds, got '{}'", name, *v));
    }
    *field = std::chrono::milliseconds(ms);
  }
  if (auto v = env.get("TURSO_MAX_RESPONSE_BYTES")) {
    std::uint64_t bytes = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), bytes);
    if (ec != std::errc{} || ptr != v->data() + v->size() || bytes == 0) {
      throw Error(Errc::validation,
                  fmt::format("TURSO_MAX_RESPONSE_BYTES must be a positive number of bytes, got '{}'", *v));
    }
    c.turso.max_response_bytes = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, SIZE_MAX));
  }
  if (auto v = env.get("DEPLOYSTACK_SETUP_TOKEN")) c.setup_token = Secret(*v);
  if (auto v = env.get("DEPLOYSTACK_ADMIN_TOKEN")) c.admin_token = Secret(*v);
  if (auto v = env.get("DEPLOYSTACK_ENCRYPTION_SECRET")) c.encryption_secret = Secret(*v);
  if (auto v = env.get("LOG_LEVEL")) c.log_level = *v;
  if (auto v = env.get("LOG_FORMAT")) c.log_format = *v;
  if (auto v = env.get("MAX_CONNECTIONS")) {
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), c.max_connections);
    if (ec != std::errc{} || ptr != v->data() + v->size()) {
      throw Error(Errc::validation,
                  fmt::format("MAX_CONNECTIONS must be a number (0: derived from the file descriptor limit), got '{}'", *v));
    }
  }
  if (auto v = env.get("PLUGINS_PATH")) c.plugins_path = *v;
  c.frontend_url = env.get("DEPLOYSTACK_FRONTEND_URL");
  c.migrations_dir = env.get("DEPLOYSTACK_MIGRATIONS_DIR");
  for (auto [name, field] : {std::pair{"PLUGINS_STRICT", &c.plugins_strict},
                             std::pair{"METRICS_PUBLIC", &c.metrics_public}}) {
    auto v = env.get(name);
    if (!v) continue;
    if (*v != "0" && *v != "1" && *v != "false" && *v != "true") {
      throw Error(Errc::validation,
                  fmt::format("{} must be 0, 1, false or true, got '{}'", name, *v));
    }
    *field = *v == "1" || *v == "true";
  }
  if (auto v = env.get("DEPLOYSTACK_BACKUP_STEP_PAGES")) {
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), c.backup_step_pages);
    if (ec != std::errc{} || ptr != v->data() + v->size() || c.backup_step_pages <= 0) {
      throw Error(
          Errc::validation,
          fmt::format("DEPLOYSTACK_BACKUP_STEP_PAGES must be a positive number of pages, got '{}'",
                      *v));
    }
  }
  if (auto v = env.get("DEPLOYSTACK_BACKUP_STEP_PAUSE_MS")) {
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), c.backup_step_pause_ms);
    if (ec != std::errc{} || ptr != v->data() + v->size()) {
      throw Error(
          Errc::validation,
          fmt::format("DEPLOYSTACK_BACKUP_STEP_PAUSE_MS must be a number of milliseconds, got '{}'",
                      *v));
    }
  }
  return c;
}

}  // namespace ds
