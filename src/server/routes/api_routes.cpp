#include "server/routes/api_routes.hpp"

#include "server/routes/backup_routes.hpp"
#include "server/routes/db_routes.hpp"
#include "server/routes/documentation_routes.hpp"
#include "server/routes/operations_routes.hpp"
#include "server/routes/plugins_routes.hpp"
#include "server/routes/projects_routes.hpp"
#include "server/routes/settings_routes.hpp"

namespace ds::http {

void add_api_routes(Router& router, setup::DatabaseManager& manager,
                    settings::SettingsRuntime& settings, plugins::PluginHost& plugins,
                    const Config& config) {
  add_operations_routes(router, manager, config);
  add_db_routes(router, manager, config);
  add_backup_routes(router, manager, settings.service().keys(), config);
  add_projects_routes(router, manager);
  add_settings_routes(router, manager, settings.service(), config);
  add_plugins_routes(router, plugins, [&manager] { return manager.database(); });
  add_documentation_route(router,
                          settings.service());  // last: it documents every route added before it
}

}  // namespace ds::http
