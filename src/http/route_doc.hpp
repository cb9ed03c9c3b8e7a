#pragma once
// What a route says about itself in the OpenAPI document (http/openapi.hpp). Given where the
// route is registered, beside the rules its handler checks, so the document and the server
// cannot drift apart. Schemas are JSON Schema 2020-12, the dialect of OpenAPI 3.1.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ds::http {

// The one schema of every error body ({"error":...} with statusCode/message/success/details):
// a reference to the document's shared component.
inline nlohmann::json error_schema() {
  return {{"$ref", "#/components/schemas/Error"}};
}

struct ResponseDoc {
  int status = 200;
  std::string description{};
  nlohmann::json schema = nullptr;  // of the body; null: no body (a 204)
  std::string content_type = "application/json";
};

struct ParamDoc {
  enum class In { query, path };
  std::string name{};
  In in = In::query;
  std::string description{};
  nlohmann::json schema = {{"type", "string"}};
};

struct RouteDoc {
  std::string summary{};
  std::string description{};
  // The schema of the JSON body; null: the route reads none. A route that reads one also
  // answers the 400, 413 and 415 of every body (added by the document).
  nlohmann::json request_body = nullptr;
  // Query parameters, and path parameters whose values are narrower than any text (a ":name"
  // of the pattern not listed here is documented as a string).
  std::vector<ParamDoc> params{};
  std::vector<ResponseDoc> responses{};
  bool needs_database = false;  // adds the 503 answered before setup
  bool admin = false;           // needs the admin token: adds its 401 and 403
};

}  // namespace ds::http
