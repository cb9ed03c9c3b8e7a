#pragma once
// `deploystack db backup <file>` and `deploystack db restore <file>` (docs/OPERATIONS.md).
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "core/config.hpp"

namespace ds::cli {

struct BackupCommands {
  CLI::App* backup = nullptr;
  CLI::App* restore = nullptr;
  std::string backup_file;   // backup <file>
  std::string restore_file;  // restore <file>
};

// Adds the two subcommands under `db`. The returned object must outlive parsing.
void add_backup_commands(CLI::App& db, BackupCommands& commands);

// Runs whichever of them was parsed and returns its exit code; nullopt when none was.
std::optional<int> run_backup_command(const BackupCommands& commands, const Config& config);

}  // namespace ds::cli
