#include <nlohmann/json.hpp>

#include "http/errors.hpp"
#include "plugins/plugin.hpp"

namespace ds::plugins {

DatabaseAccess::DatabaseAccess(std::string plugin_id, Provider provider,
                               std::shared_ptr<const std::atomic<bool>> ready)
    : plugin_id_(std::move(plugin_id)), provider_(std::move(provider)), ready_(std::move(ready)) {}

std::shared_ptr<db::Connection> DatabaseAccess::get() const {
  auto conn = provider_ ? provider_() : nullptr;
  if (!conn) {
    const nlohmann::json body = {
        {"error", "Database not initialized. Complete setup via POST /api/db/setup."},
        {"details", "Plugin '" + plugin_id_ + "' needs the database"}};
    throw http::HttpError(http::Response::json(503, body.dump()));
  }
  if (!ready_ || !ready_->load(std::memory_order_acquire)) {
    const nlohmann::json body = {
        {"error", "Plugin '" + plugin_id_ + "' is not available"},
        {"details", "Its database initialization failed; see the server log, fix it and restart."}};
    throw http::HttpError(http::Response::json(503, body.dump()));
  }
  return conn;
}

Routes::Routes(http::Router& router, std::string prefix, DatabaseAccess database)
    : router_(router), prefix_(std::move(prefix)), database_(std::move(database)) {}

void Routes::add(http::Method method, std::string_view pattern, http::Handler handler,
                 http::RouteDoc doc) {
  std::string full = prefix_;
  if (!pattern.empty() && pattern.front() != '/') full += '/';
  full += pattern;
  router_.add(method, full, std::move(handler), http::Execution::blocking, std::move(doc));
}

}  // namespace ds::plugins
