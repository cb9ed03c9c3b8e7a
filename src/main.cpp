// deploystack: one binary for the server and its database commands.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <optional>
#include <utility>

#include "cli/backup_commands.hpp"
#include "cli/migrate_commands.hpp"
#include "cli/settings_commands.hpp"
#include "core/config.hpp"
#include "core/data_dir_lock.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "http/router.hpp"
#include "plugins/builtin_plugins.hpp"
#include "server/routes/api_routes.hpp"
#include "server/server.hpp"
#include "settings/settings_runtime.hpp"
#include "setup/database_manager.hpp"
#include "setup/init_pipeline.hpp"

namespace {

// Built-in plugins and those under PLUGINS_PATH; a conflict throws (start-up stops).
std::unique_ptr<ds::plugins::PluginHost> load_plugins(const ds::Config& config) {
  return std::make_unique<ds::plugins::PluginHost>(
      ds::plugins::HostOptions{config.plugins_path, config.plugins_strict},
      ds::plugins::builtin_plugins(), ds::plugins::core_claims());
}

int serve(const ds::Config& config) {
  // First: a mistyped DEPLOYSTACK_FRONTEND_URL stops the start before anything else runs.
  ds::http::CorsPolicy cors(config.frontend_url);
  // Held until the process ends: no second server and no writing command on this data folder
  // meanwhile. A folder that cannot hold the lock file (read-only, unreadable) is reported and
  // the server starts anyway, degraded as the folder itself allows; only a live holder stops it.
  std::optional<ds::DataDirLock> lock;
  try {
    lock.emplace(ds::DataDirLock::acquire(config.data_dir, "serve"));
  } catch (const ds::Error& e) {
    if (e.code() == ds::Errc::conflict) throw;
    spdlog::error("{}: running without the data folder lock (commands cannot tell this server runs)", e.what());
  }
  const auto plugins = load_plugins(config);
  ds::settings::SettingsRuntime settings(config, ds::plugins::settings_registry(*plugins),
                                         /*holds_data_lock=*/lock.has_value());
  ds::setup::DatabaseManager manager(config, ds::setup::init_pipeline(config, settings, *plugins));
  settings.attach(manager);
  manager.boot();

  ds::http::Router router;
  ds::http::add_api_routes(router, manager, settings, *plugins, config);

  ds::http::Server server({.host = config.host,
                           .port = config.port,
                           .max_connections = config.max_connections,
                           .reads_never_wait = [&manager] { return manager.reads_never_wait(); },
                           .cors = std::move(cors)},
                          router);
  const auto port = server.listen();
  spdlog::info("listening on http://{}:{}", config.host, port);
  // The one line on stdout: tests and scripts wait for it to know the server is ready.
  std::printf("deploystack listening on http://%s:%u\n", config.host.c_str(), unsigned{port});
  std::fflush(stdout);
  server.run();
  manager.close();  // first: no background initialization may run plugins after their shutdown
  plugins->shutdown();
  spdlog::info("stopped cleanly");
  return 0;
}

// Read-only and often run beside the server: no lock, so an interrupted key rotation is
// reported here, never resolved.
int db_status(const ds::Config& config) {
  const auto plugins = load_plugins(config);
  ds::settings::SettingsRuntime settings(config, ds::plugins::settings_registry(*plugins));
  ds::setup::DatabaseManager manager(config, ds::setup::init_pipeline(config, settings, *plugins));
  settings.attach(manager);
  manager.boot();
  std::cout << *manager.status_json() << '\n';
  manager.close();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"deploystack: the DeployStack backend. Configuration comes from the environment "
               "and from ./.env (the environment wins)."};
  app.require_subcommand(0, 1);
  auto* serve_cmd = app.add_subcommand("serve", "Start the HTTP server (the default)");
  auto* db_cmd = app.add_subcommand("db", "Database commands");
  db_cmd->require_subcommand(1);
  auto* status_cmd = db_cmd->add_subcommand(
      "status", "Print the database status, as GET /api/db/status would, without a server");
  ds::cli::MigrateCommands migrate_cmds;
  ds::cli::add_migrate_commands(*db_cmd, migrate_cmds);
  ds::cli::BackupCommands backup_cmds;
  ds::cli::add_backup_commands(*db_cmd, backup_cmds);
  ds::cli::SettingsCommands settings_cmds;
  ds::cli::add_settings_commands(app, settings_cmds);
  CLI11_PARSE(app, argc, argv);

  try {
    const auto env = ds::Env::load(".env");
    const auto config = ds::Config::from_env(env);
    ds::init_logging(config.log_level, config.log_format);
    if (status_cmd->parsed()) return db_status(config);
    if (auto code = ds::cli::run_migrate_command(migrate_cmds, config)) return *code;
    if (auto code = ds::cli::run_backup_command(backup_cmds, config)) return *code;
    if (auto code = ds::cli::run_settings_command(settings_cmds, config, env)) return *code;
    (void)serve_cmd;
    return serve(config);
  } catch (const ds::Error& e) {
    std::fprintf(stderr, "deploystack: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "deploystack: unexpected error: %s\n", e.what());
    return 1;
  }
}
