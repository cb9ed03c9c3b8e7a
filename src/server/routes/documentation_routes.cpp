#include "server/routes/documentation_routes.hpp"

#include <memory>

#include "http/openapi.hpp"

namespace ds::http {

void add_documentation_route(Router& router) {
  // Filled once the route itself is in the table, so the document lists it too.
  auto body = std::make_shared<std::string>();
  router.add(Method::get, "/documentation/json",
             [body](const Request&) { return Response::json(200, *body); }, Execution::inline_,
             {.summary = "This document: the OpenAPI 3.1 description of every route",
              .description = "Generated at start from the server's route table, plugins' routes "
                             "included.",
              .responses = {{200,
                             "The OpenAPI document",
                             {{"type", "object"}, {"required", {"openapi", "info", "paths"}}}}}});
  *body = openapi_document(router, {.title = "DeployStack API",
                                    .version = DS_VERSION,
                                    .description = "The DeployStack backend's HTTP API."})
              .dump();
}

}  // namespace ds::http
