#pragma once
// The OpenAPI 3.1 document of a router: every route, from the RouteDoc it was registered with.
#include <nlohmann/json.hpp>
#include <string>

#include "http/router.hpp"

namespace ds::http {

struct ApiInfo {
  std::string title{};
  std::string version{};
  std::string description{};
};

// Paths in the router's order, ":name" written "{name}" with a path parameter. The errors
// every route of a kind answers (500 always; 400/413/415 with a body; 401/403 for admin
// routes; 503 without the database) are added to what the route documents, all with the one
// Error component. A route registered without a doc still appears, with a default response.
// A pattern registered twice is documented once: the router only ever reaches the first.
nlohmann::ordered_json openapi_document(const Router& router, const ApiInfo& info);

}  // namespace ds::http
