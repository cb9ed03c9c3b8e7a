#pragma once
// A plugin's tables are created and evolved by the core's migration engine (db/migrate/):
// the plugin's own folder and snapshot chain, its own rows in its own tracking table.
#include <filesystem>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "db/connection.hpp"
#include "plugins/plugin_host.hpp"

namespace ds::plugins {

// The tracking table of plugin `id`, `__drizzle_migrations_<id>`: drizzle's layout, one per plugin,
// so that a plugin's chain never mixes with the core's or another plugin's.
std::string tracking_table(std::string_view plugin_id);

// Applies the pending migrations of `plugin` (strict runner: edited or out-of-order files are
// errors). Throws ds::Error naming the plugin when its folder is missing, or when its
// declared tables differ from the latest snapshot (run `deploystack db generate --plugin <id>`).
void migrate_plugin(db::Connection& db, const LoadedPlugin& plugin);

// What `deploystack db generate --plugin <id>` works on: the plugin's declared tables and its
// folder (`migrations_dir` when given, else the one its library ships). Loads the plugins of
// `config` to find it; throws ds::Error(not_found) listing the loaded ids when none is `id`.
struct PluginMigrationTarget {
  db::schema::Schema schema;
  std::filesystem::path folder;
  std::string tracking_table;
};
PluginMigrationTarget plugin_migration_target(const Config& config, std::string_view id,
                                              const std::optional<std::string>& migrations_dir);

}  // namespace ds::plugins
