// deploystack: one binary for the server and its database commands.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "http/router.hpp"
#include "http/routes/db_routes.hpp"
#include "http/server.hpp"
#include "setup/database_manager.hpp"

namespace {

std::vector<ds::setup::InitStage> init_stages() {
  // Filled by later parts of the pipeline (migrate, settings, plugins); `open` is the
  // DatabaseManager's own first step.
  return {};
}

int serve(const ds::Config& config) {
  ds::setup::DatabaseManager manager(config, init_stages());
  manager.boot();

  ds::http::Router router;
  ds::http::add_db_routes(router, manager, config);

  ds::http::Server server({.host = config.host, .port = config.port}, router);
  const auto port = server.listen();
  spdlog::info("listening on http://{}:{}", config.host, port);
  // The one line on stdout: tests and scripts wait for it to know the server is ready.
  std::printf("deploystack listening on http://%s:%u\n", config.host.c_str(), unsigned{port});
  std::fflush(stdout);
  server.run();
  manager.close();
  spdlog::info("stopped cleanly");
  return 0;
}

int db_status(const ds::Config& config) {
  ds::setup::DatabaseManager manager(config, init_stages());
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
  CLI11_PARSE(app, argc, argv);

  try {
    const auto env = ds::Env::load(".env");
    const auto config = ds::Config::from_env(env);
    ds::init_logging(config.log_level);
    if (status_cmd->parsed()) return db_status(config);
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
