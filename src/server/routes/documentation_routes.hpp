#pragma once
#include "http/router.hpp"

namespace ds::http {

// GET /documentation/json: the OpenAPI 3.1 document of every route of `router`, rendered once
// from the route table (http/openapi.hpp) and answered from memory on the I/O thread. Call
// last: a route added afterwards is missing from the document.
void add_documentation_route(Router& router);

}  // namespace ds::http
