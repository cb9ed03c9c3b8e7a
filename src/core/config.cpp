#include "core/config.hpp"

#include <fmt/format.h>

#include <charconv>

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
  if (auto v = env.get("DB_TYPE")) {
    if (*v != "sqlite" && *v != "turso") {
      throw Error(Errc::validation, fmt::format("DB_TYPE must be 'sqlite' or 'turso', got '{}'", *v));
    }
    c.db_type = *v;
  }
  if (auto v = env.get("TURSO_DATABASE_URL")) c.turso_url = *v;
  if (auto v = env.get("TURSO_AUTH_TOKEN")) c.turso_token = Secret(*v);
  if (auto v = env.get("DEPLOYSTACK_SETUP_TOKEN")) c.setup_token = Secret(*v);
  if (auto v = env.get("LOG_LEVEL")) c.log_level = *v;
  return c;
}

}  // namespace ds
