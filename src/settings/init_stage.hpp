#pragma once
// The `settings` stage of setup and of every start: creates the missing groups and settings
// with their defaults (never overwriting a value) and reconciles rows whose definition
// changed, in one Connection::batch: one transaction on SQLite, one pipeline request on Turso.
// Without a key (no DEPLOYSTACK_ENCRYPTION_SECRET, no key file) it creates the key file,
// unless the database already holds secrets: then they are left unreadable until the key is
// provided, and missing secrets are not created.
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "db/init_stage.hpp"
#include "settings/settings_service.hpp"

namespace ds::settings {

struct InitReport {
  std::vector<std::string> created_groups;
  std::vector<std::string> created_settings;
  std::vector<std::string> reconciled_settings;  // re-typed or newly encrypted
  std::vector<std::string> reconciled_groups;    // name, description, icon or order changed
  std::vector<std::string> skipped_secrets;      // not created: no key for existing secrets
  bool key_file_created = false;
};

// Runs the stage on `db`. Throws ds::Error on any database failure (setup aborts).
InitReport initialize_settings(db::Connection& db, SettingsService& service);

// The stage for DatabaseManager's pipeline (after `migrate`).
db::InitStage settings_stage(SettingsService& service);

}  // namespace ds::settings
