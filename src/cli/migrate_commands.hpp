#pragma once
// The migration commands of the binary: `db generate`, `db up`, `db check`, and the `migrate`
// init stage that applies pending core migrations at setup and at every start.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/env.hpp"
#include "setup/database_manager.hpp"

namespace ds::cli {

struct MigrateCommands {
  CLI::App* generate = nullptr;
  CLI::App* up = nullptr;
  CLI::App* check = nullptr;
  std::optional<std::string> migrations_dir;  // --migrations DIR (every command)
  std::optional<std::string> plugin;          // generate --plugin ID: that plugin's tables and folder
  std::optional<std::string> name;            // generate --name
  std::vector<std::string> renames;           // generate --rename (repeatable)
  bool custom = false;                        // generate --custom
  bool dry_run = false;                       // up --dry-run
};

// Adds the three subcommands under `db`. The returned object must outlive parsing.
void add_migrate_commands(CLI::App& db, MigrateCommands& commands);

// Runs whichever of them was parsed and returns its exit code; nullopt when none was.
std::optional<int> run_migrate_command(const MigrateCommands& commands, const Config& config, const Env& env);

// The `migrate` init stage: applies the folder found by DEPLOYSTACK_MIGRATIONS_DIR (environment
// or ./.env) or beside the binary. A missing folder, hash drift or a failing migration fails
// the stage, so the server never runs on a schema it does not know.
setup::InitStage migrate_stage();

}  // namespace ds::cli
