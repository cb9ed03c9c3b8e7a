#pragma once
#include "http/router.hpp"
#include "plugins/plugin_host.hpp"

namespace ds::http {

// GET /api/plugins, and every plugin's own routes under /api/plugin/<id>/.
void add_plugins_routes(Router& router, plugins::PluginHost& host,
                        const plugins::DatabaseAccess::Provider& database);

}  // namespace ds::http
