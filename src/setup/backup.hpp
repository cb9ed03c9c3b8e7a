#pragma once
// A backup as the CLI and POST /api/db/backup make it: the verified copy (db/backup.hpp) and a
// manifest beside it, "<file>.manifest.json". The settings encryption key is not in the
// database, so the manifest records which key the copy needs (its fingerprint, never the key).
#include <filesystem>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "db/backup.hpp"
#include "settings/key_management.hpp"

namespace ds::setup {

// The backup options of the configuration (DEPLOYSTACK_BACKUP_STEP_PAGES / _PAUSE_MS).
db::BackupOptions backup_options(const Config& config);

struct BackupMade {
  db::VerifiedCopy copy;
  std::filesystem::path manifest;
  // The fingerprint of the key the copy's encrypted settings need; nullopt when no key is
  // configured.
  std::optional<std::string> key_fingerprint;
  settings::KeySource key_source = settings::KeySource::none;
};

// Makes the copy (what db::backup_database throws), then writes the manifest atomically
// (`keys` null: the key could not be read, the manifest says so):
// {"format":1,"created_at","file","bytes","integrity":"ok","migrations":{"count","last_hash"},
//  "encryption_key":{"in_backup":false,"source","fingerprint","note"}}.
BackupMade back_up(const db::DatabaseTarget& target, const std::filesystem::path& file,
                   const settings::KeyManager* keys, const db::BackupOptions& options);

std::filesystem::path manifest_file(const std::filesystem::path& copy);

// The key fingerprint the manifest beside `copy` records; nullopt when there is no readable
// manifest or it records none.
std::optional<std::string> recorded_key_fingerprint(const std::filesystem::path& copy);

}  // namespace ds::setup
