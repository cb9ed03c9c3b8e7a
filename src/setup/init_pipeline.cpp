#include "setup/init_pipeline.hpp"

#include <spdlog/spdlog.h>

#include "db/migrate/folder.hpp"
#include "db/migrate/runner.hpp"
#include "plugins/plugin_migrations.hpp"

namespace ds::setup {
namespace {

// Applies the pending core migrations (Config::migrations_dir, else the folder installed
// beside the binary). A missing folder, hash drift or a failing migration fails the stage, so
// the server never runs on a schema it does not know.
db::InitStage migrate_stage(const Config& config) {
  return {"migrate",
          [dir = config.migrations_dir](db::Connection& conn) {
            const db::migrate::MigrationFolder folder(
                db::migrate::locate_migrations(std::nullopt, dir));
            const auto result = db::migrate::apply_migrations(conn, folder);
            if (result.applied.empty()) {
              spdlog::info("migrations: database up to date");
            } else {
              spdlog::info("migrations: applied {} ({} .. {})", result.applied.size(),
                           result.applied.front(), result.applied.back());
            }
          },
          true};
}

}  // namespace

std::vector<db::InitStage> init_pipeline(const Config& config, settings::SettingsRuntime& settings,
                                         const plugins::PluginHost& plugins) {
  std::vector<db::InitStage> stages;
  stages.push_back(migrate_stage(config));
  stages.push_back(settings.stage());
  // Plugins last: their tables reference core tables.
  stages.push_back(
      {"plugins",
       [&plugins](db::Connection& db) { plugins.initialize_database(db, plugins::migrate_plugin); },
       /*required=*/false});
  return stages;
}

}  // namespace ds::setup
