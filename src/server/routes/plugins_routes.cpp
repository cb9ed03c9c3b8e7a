#include "server/routes/plugins_routes.hpp"

namespace ds::http {
namespace {

RouteDoc list_doc() {
  const nlohmann::json names = {{"type", "array"}, {"items", {{"type", "string"}}}};
  const nlohmann::json plugin = {{"type", "object"},
                                 {"required", {"id", "name", "version", "tables", "settings"}},
                                 {"properties",
                                  {{"id", {{"type", "string"}}},
                                   {"name", {{"type", "string"}}},
                                   {"version", {{"type", "string"}}},
                                   {"tables", names},
                                   {"settings", names}}}};
  return {.summary = "The loaded plugins, with their tables and settings",
          .responses = {{200, "The plugins", {{"type", "array"}, {"items", plugin}}}}};
}

}  // namespace

void add_plugins_routes(Router& router, plugins::PluginHost& host,
                        const plugins::DatabaseAccess::Provider& database) {
  // The list never changes after start: answer the prebuilt body on the I/O thread.
  router.add(
      Method::get, "/api/plugins",
      [&host](const Request&) { return Response::json(200, host.list_json()); }, Execution::inline_,
      list_doc());
  host.register_routes(router, database);
}

}  // namespace ds::http
