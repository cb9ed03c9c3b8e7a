#pragma once
// The migration commands of the binary: `db generate`, `db up`, `db check`. (The server's own
// start-up migrations are the setup layer's `migrate` stage, setup/init_pipeline.hpp.)
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"

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
std::optional<int> run_migrate_command(const MigrateCommands& commands, const Config& config);

}  // namespace ds::cli
