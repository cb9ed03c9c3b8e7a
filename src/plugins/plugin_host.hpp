#pragma once
// Owns every plugin of this process: the built-in ones and the shared libraries found under
// PLUGINS_PATH. Loads and checks them once at start, runs their database initialization as
// a stage of the setup pipeline, mounts their routes and lists them for GET /api/plugins.
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "http/router.hpp"
#include "plugins/claims.hpp"
#include "plugins/plugin.hpp"
#include "plugins/shared_library.hpp"
#include "settings/registry.hpp"

namespace ds::plugins {

struct HostOptions {
  std::filesystem::path plugins_path = "plugins";
  // true: a plugin that cannot be loaded (wrong ABI, missing symbol, throwing constructor)
  // stops start-up; false: it is logged and skipped. Conflicts always stop start-up.
  bool strict = true;
};

// A built-in plugin: compiled into the server (see builtin_plugins.hpp).
using PluginFactory = std::function<PluginPtr()>;

// One plugin as the host keeps it.
struct LoadedPlugin {
  Metadata meta;
  std::string owner;              // for messages: plugin 'id' (where it came from)
  std::filesystem::path folder;   // what relative paths of the plugin resolve against
  DatabaseExtension database;
  SettingsExtension settings;
  PluginPtr instance;
  // Set once its migrations and seeding succeeded; its routes answer 503 until then.
  std::shared_ptr<std::atomic<bool>> database_ready = std::make_shared<std::atomic<bool>>(false);

  std::filesystem::path migrations_folder() const;
};

// Applies one plugin's migrations (its folder, its tracking rows) to `db`.
using PluginMigrator = std::function<void(db::Connection& db, const LoadedPlugin& plugin)>;

class PluginHost {
 public:
  // Loads the built-ins, then every library under options.plugins_path, then checks all
  // claims against `core`. Throws ds::Error naming both owners of a clash, and naming the
  // library that could not be loaded when strict.
  PluginHost(HostOptions options, const std::vector<PluginFactory>& builtins, Claims core);
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;
  ~PluginHost();  // shutdown()

  const std::vector<std::unique_ptr<LoadedPlugin>>& plugins() const noexcept { return plugins_; }
  const LoadedPlugin* find(std::string_view id) const noexcept;

  // The plugins' settings modules, each `source` naming its plugin.
  std::vector<const settings::Module*> settings_modules() const;

  // The pipeline stage after core migrations and settings: for each plugin, its migrations,
  // then its on_database_init in one transaction. A failing plugin is logged by id and left
  // unavailable while the others go on; the stage then throws naming every failed id (the
  // stage is not required: the core stays initialized, setup answers restart_required).
  void initialize_database(db::Connection& db, const PluginMigrator& migrate) const;

  // Mounts each plugin's routes under /api/plugin/<id>.
  void register_routes(http::Router& router, const DatabaseAccess::Provider& database);

  // The body of GET /api/plugins, built once (plugins do not change after start).
  const std::string& list_json() const noexcept { return list_json_; }

  // Calls each plugin's shutdown() once, in reverse load order.
  void shutdown() noexcept;

 private:
  void add(PluginPtr instance, std::string origin, std::filesystem::path folder);

  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
  std::string list_json_;
  bool shut_down_ = false;
};

// What the core owns: its tables (db::core_schema()) and its built-in settings modules.
Claims core_claims();

// The settings registry of this process: the core's modules first (on a clash its errors name
// the core first), then every plugin's.
settings::Registry settings_registry(const PluginHost& host);

}  // namespace ds::plugins
