#pragma once
#include "http/router.hpp"
#include "settings/settings_service.hpp"

namespace ds::http {

// GET /documentation/json: the OpenAPI 3.1 document of every route of `router`, rendered once
// from the route table (http/openapi.hpp) and answered from memory. The setting
// global.enable_swagger_docs=false hides it (404, as a server without the route), read through
// the settings' cache at each request so a change needs no restart. Call last: a route added
// afterwards is missing from the document.
void add_documentation_route(Router& router, settings::SettingsService& settings);

}  // namespace ds::http
