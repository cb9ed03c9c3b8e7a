#pragma once
// Reading a JSON request body the way every route does: content type first (415), then
// syntax (400), then the caller checks the shape.
#include <nlohmann/json.hpp>

#include "http/request.hpp"

namespace ds::http {

// Throws HttpError: 415 when a body comes with another content type, 400 when it is not
// valid JSON or not an object. An empty body is an empty object.
nlohmann::json parse_json_object(const Request& request);

// Throws HttpError(401) unless `authorization` is "Bearer <expected>" (constant time).
void require_bearer(const Request& request, std::string_view expected, std::string_view body_json);

}  // namespace ds::http
