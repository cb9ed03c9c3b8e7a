#include "server/routes/documentation_routes.hpp"

#include <spdlog/spdlog.h>

#include <memory>

#include "core/error.hpp"
#include "http/errors.hpp"
#include "http/openapi.hpp"

namespace ds::http {

namespace {

constexpr std::string_view kEnabledSetting = "global.enable_swagger_docs";

// Whether the document is served. Before setup (no database) and when the setting cannot be
// read, it is: the document describes the server, not the data, and an operator debugging an
// outage needs it most.
bool documentation_enabled(settings::SettingsService& settings) {
  try {
    return settings.get_bool(kEnabledSetting).value_or(true);
  } catch (const Error& e) {
    spdlog::warn("{} could not be read ({}); serving /documentation/json", kEnabledSetting,
                 e.what());
    return true;
  }
}

}  // namespace

void add_documentation_route(Router& router, settings::SettingsService& settings) {
  // Filled once the route itself is in the table, so the document lists it too.
  auto body = std::make_shared<std::string>();
  router.add(
      Method::get, "/documentation/json",
      [body, &settings](const Request& request) {
        if (!documentation_enabled(settings))
          return route_not_found(request.method_name, request.path);
        return Response::json(200, *body);
      },
      Execution::reads_database,
      {.summary = "This document: the OpenAPI 3.1 description of every route",
       .description = "Generated at start from the server's route table, plugins' routes "
                      "included.",
       .responses = {{200,
                      "The OpenAPI document",
                      {{"type", "object"}, {"required", {"openapi", "info", "paths"}}}},
                     {404, "The setting global.enable_swagger_docs is false", error_schema()}}});
  *body = openapi_document(router, {.title = "DeployStack API",
                                    .version = DS_VERSION,
                                    .description = "The DeployStack backend's HTTP API."})
              .dump();
}

}  // namespace ds::http
