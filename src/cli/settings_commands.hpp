#pragma once
// `deploystack settings rotate-key`: re-encrypts every stored secret under a new key.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/env.hpp"

namespace ds::cli {

struct SettingsCommands {
  CLI::App* rotate_key = nullptr;
  std::string new_secret_env = "DEPLOYSTACK_NEW_ENCRYPTION_SECRET";  // --new-secret-env NAME
};

// Adds `settings rotate-key` to `app`. The returned object must outlive parsing.
void add_settings_commands(CLI::App& app, SettingsCommands& commands);

// Runs the parsed settings command and returns its exit code; nullopt when none was parsed.
std::optional<int> run_settings_command(const SettingsCommands& commands, const Config& config,
                                        const Env& env);

}  // namespace ds::cli
