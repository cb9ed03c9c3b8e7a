#include "plugins/plugin_migrations.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "db/migrate/diff.hpp"
#include "db/migrate/runner.hpp"
#include "plugins/builtin_plugins.hpp"

namespace ds::plugins {

std::string tracking_table(std::string_view plugin_id) {
  return fmt::format("{}_{}", db::migrate::kTrackingTable, plugin_id);
}

void migrate_plugin(db::Connection& db, const LoadedPlugin& plugin) {
  const auto dir = plugin.migrations_folder();
  const auto& id = plugin.meta.id;
  if (!std::filesystem::is_directory(dir)) {
    throw Error(Errc::validation,
                fmt::format("plugin '{}' declares tables but ships no migration folder {}: run "
                            "`deploystack db generate --plugin {}` and ship the folder with it",
                            id, dir.string(), id));
  }
  const db::migrate::MigrationFolder folder(dir);
  // The shipped chain must end where the code's tables are: otherwise the plugin's queries
  // would run against tables its migrations never created.
  const auto latest = folder.latest_snapshot();
  const db::schema::Schema declared{plugin.database.tables};
  const auto drift = db::migrate::diff_schemas(latest ? latest->schema : db::schema::Schema{}, declared, {});
  if (!drift.statements.empty()) {
    throw Error(Errc::validation,
                fmt::format("plugin '{}': its tables differ from the latest snapshot in {} ({} change(s) "
                            "not generated): run `deploystack db generate --plugin {}`",
                            id, dir.string(), drift.statements.size(), id));
  }
  const auto result = db::migrate::apply_migrations(db, folder, false, tracking_table(id));
  if (!result.applied.empty()) {
    spdlog::info("plugin={} migrations applied: {}", id, fmt::join(result.applied, ", "));
  }
}

PluginMigrationTarget plugin_migration_target(const Config& config, std::string_view id,
                                              const std::optional<std::string>& migrations_dir) {
  const PluginHost host({config.plugins_path, config.plugins_strict}, builtin_plugins(), core_claims());
  const auto* plugin = host.find(id);
  if (!plugin) {
    std::vector<std::string> ids;
    for (const auto& p : host.plugins()) ids.push_back(p->meta.id);
    throw Error(Errc::not_found, fmt::format("no plugin '{}' is loaded from {} (loaded: {})", id,
                                             config.plugins_path.string(),
                                             ids.empty() ? "none" : fmt::format("{}", fmt::join(ids, ", "))));
  }
  return {db::schema::Schema{plugin->database.tables},
          migrations_dir ? std::filesystem::path(*migrations_dir) : plugin->migrations_folder(),
          tracking_table(id)};
}

}  // namespace ds::plugins
