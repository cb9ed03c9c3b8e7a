#pragma once
// The plugin SDK: what a plugin implements. A plugin adds tables (declared with the same
// typed schema DSL as the core, evolved by the same migration engine), settings (modules, as
// the core's settings), and HTTP routes under /api/plugin/<id>/. Built-in plugins are
// compiled into the server; shared-library plugins export themselves with
// DEPLOYSTACK_PLUGIN(Type) (see abi.hpp and docs/PLUGINS.md).
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.hpp"
#include "db/schema/model.hpp"
#include "http/router.hpp"
#include "plugins/abi.hpp"
#include "settings/definition.hpp"

namespace ds::plugins {

struct Metadata {
  std::string id;  // ^[a-z][a-z0-9_]{0,31}$: prefixes the plugin's tables, routes, tracking rows
  std::string name;
  std::string version;
  std::string description;
};

struct DatabaseExtension {
  // The plugin's tables as the DSL walks them (schema::Table). Every name starts with
  // "<id>_"; foreign keys may point at core tables.
  std::vector<db::schema::Table> tables;
  // The plugin's own migration folder and snapshot chain (drizzle format), written by
  // `deploystack db generate --plugin <id>`. Relative: against the plugin's folder (the
  // folder of its .so; the working directory for a built-in plugin).
  std::filesystem::path migrations = "migrations";
  // Seeding. Runs after the plugin's migrations, at setup and at every start, inside one
  // transaction (a throw rolls all of it back). Must be idempotent: insert with
  // on_conflict_do_nothing(), never delete. The Transaction gets typed statements from
  // db::query::Tx: Tx(tx).insert(table).values({...}).on_conflict_do_nothing().run().
  std::function<void(db::Transaction&)> on_database_init;
};

struct SettingsExtension {
  // Settings modules exactly as the core's (settings/definition.hpp). Their data must have
  // static storage (constexpr arrays, string literals): the host keeps views of it.
  // `Module::source` is set by the host to name the plugin in start-up errors.
  std::vector<settings::Module> modules;
};

// The database as a plugin's route handlers see it. Cheap to copy: capture it by value.
class DatabaseAccess {
 public:
  using Provider = std::function<std::shared_ptr<db::Connection>()>;
  DatabaseAccess(std::string plugin_id, Provider provider,
                 std::shared_ptr<const std::atomic<bool>> ready);

  // The live database. Throws http::HttpError 503 before setup, or when this plugin's
  // database initialization failed (its tables may not match its code).
  std::shared_ptr<db::Connection> get() const;

 private:
  std::string plugin_id_;
  Provider provider_;
  std::shared_ptr<const std::atomic<bool>> ready_;
};

// Where a plugin registers its routes: patterns are relative to /api/plugin/<id>, e.g.
// add(Method::get, "/notes/:id", ...) serves GET /api/plugin/<id>/notes/:id.
class Routes {
 public:
  Routes(http::Router& router, std::string prefix, DatabaseAccess database);

  // `doc` describes the route in GET /documentation/json (http/route_doc.hpp); a route
  // without one is listed there as undocumented.
  void add(http::Method method, std::string_view pattern, http::Handler handler,
           http::RouteDoc doc = {});
  const DatabaseAccess& database() const noexcept { return database_; }
  const std::string& prefix() const noexcept { return prefix_; }

 private:
  http::Router& router_;
  std::string prefix_;
  DatabaseAccess database_;
};

class Plugin {
 public:
  virtual ~Plugin() = default;

  virtual Metadata metadata() const = 0;
  virtual DatabaseExtension database_extension() const { return {}; }
  virtual SettingsExtension global_settings_extension() const { return {}; }
  // Called once at start, before the server listens.
  virtual void register_routes(Routes& routes) { (void)routes; }
  // Called once when the server stops, after the last request.
  virtual void shutdown() noexcept {}
};

}  // namespace ds::plugins
