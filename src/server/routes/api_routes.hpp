#pragma once
// Every route of the HTTP contract (../shared/spec/api.md) and the plugins' routes, registered
// on one router: what the server serves and what the HTTP fuzz harness exercises.
#include "core/config.hpp"
#include "http/router.hpp"
#include "plugins/plugin_host.hpp"
#include "settings/settings_runtime.hpp"
#include "setup/database_manager.hpp"

namespace ds::http {

// The arguments must outlive the router.
void add_api_routes(Router& router, setup::DatabaseManager& manager,
                    settings::SettingsRuntime& settings, plugins::PluginHost& plugins,
                    const Config& config);

}  // namespace ds::http
