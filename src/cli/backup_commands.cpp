#include "cli/backup_commands.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "cli/selected_database.hpp"
#include "core/data_dir_lock.hpp"
#include "core/error.hpp"
#include "db/backup.hpp"
#include "db/migrate/folder.hpp"
#include "db/open_database.hpp"
#include "settings/key_management.hpp"
#include "setup/backup.hpp"

namespace ds::cli {
namespace {

// The selected database, when it can be copied at all (else what to use instead).
db::DatabaseTarget copyable_target(const Config& config) {
  const auto target = selected_target(config);
  db::require_file_copies(target);
  if (auto problem = db::configuration_problem(target)) throw Error(Errc::validation, *problem);
  return target;
}

// Progress on stderr when it is a terminal: one line, rewritten at each new percent.
db::BackupOptions with_progress(db::BackupOptions options, std::string_view what) {
  if (::isatty(STDERR_FILENO) == 0) return options;
  auto last = std::make_shared<int>(-1);
  options.progress = [last, what = std::string(what)](int copied, int total) {
    const int percent = total > 0 ? static_cast<int>(100LL * copied / total) : 100;
    if (percent == *last) return;
    *last = percent;
    std::fprintf(stderr, "\r%s: %d/%d pages (%d%%)%s", what.c_str(), copied, total, percent,
                 copied >= total ? "\n" : "");
    std::fflush(stderr);
  };
  return options;
}

// The key the server would use, for its fingerprint; null (and a warning) when it cannot be
// read: a bad key file must not stop a backup.
std::unique_ptr<settings::KeyManager> current_keys(const Config& config) {
  try {
    return std::make_unique<settings::KeyManager>(config.encryption_secret,
                                                  config.data_dir / "encryption.key");
  } catch (const Error& e) {
    std::fprintf(stderr, "warning: the settings encryption key cannot be read (%s)\n", e.what());
    return nullptr;
  }
}

int backup(const BackupCommands& c, const Config& config) {
  const auto target = copyable_target(config);
  const auto keys = current_keys(config);
  const auto made = setup::back_up(target, c.backup_file, keys.get(),
                                   with_progress(setup::backup_options(config), "backup"));
  const auto& copy = made.copy;
  std::printf("backup written: %s (%ju bytes, integrity ok, %zu migrations%s)\n", copy.file.c_str(),
              copy.bytes, copy.migrations.size(),
              copy.migrations.empty()
                  ? ""
                  : fmt::format(", the last {}", copy.migrations.back().hash).c_str());
  std::printf("manifest: %s\n", made.manifest.c_str());
  switch (made.key_source) {
    case settings::KeySource::key_file:
      std::printf(
          "the settings encryption key is NOT in the backup: keep %s (fingerprint %s) with it\n",
          keys->key_file().c_str(), made.key_fingerprint.value_or("?").c_str());
      break;
    case settings::KeySource::environment:
      std::printf(
          "the settings encryption key is NOT in the backup: keep the value of "
          "DEPLOYSTACK_ENCRYPTION_SECRET (fingerprint %s) with it\n",
          made.key_fingerprint.value_or("?").c_str());
      break;
    case settings::KeySource::none:
      std::printf("the settings encryption key is NOT in the backup (none is configured now)\n");
      break;
  }
  return 0;
}

int restore(const BackupCommands& c, const Config& config) {
  const auto target = copyable_target(config);
  // Never beside a live server: it has the file open and would go on writing the old one.
  const auto lock = DataDirLock::acquire(config.data_dir, "db restore");
  const db::migrate::MigrationFolder folder(
      db::migrate::locate_migrations(std::nullopt, config.migrations_dir));
  const auto restored =
      db::restore_database(target, c.restore_file, folder.migrations(),
                           with_progress(setup::backup_options(config), "restore"));
  std::printf("restored %s into %s (%ju bytes, integrity ok, %zu migrations)\n",
              c.restore_file.c_str(), restored.copy.file.c_str(), restored.copy.bytes,
              restored.copy.migrations.size());
  if (restored.previous)
    std::printf("the previous database is kept as %s\n", restored.previous->c_str());

  // The key is not in the database: say when the configured one is not the one the copy needs.
  const auto needed = setup::recorded_key_fingerprint(c.restore_file);
  const auto keys = current_keys(config);
  const auto cipher = keys ? keys->cipher() : nullptr;
  const auto current = cipher ? std::optional(cipher->fingerprint()) : std::nullopt;
  if (needed && current && *needed != *current) {
    std::printf(
        "warning: the backup's manifest records settings key fingerprint %s, the configured key "
        "is %s: configure the key of the backup (encryption.key or DEPLOYSTACK_ENCRYPTION_SECRET) "
        "or its encrypted settings stay unreadable (503)\n",
        needed->c_str(), current->c_str());
  } else if (needed && !current) {
    std::printf(
        "warning: the backup needs the settings key with fingerprint %s and none is configured: "
        "restore encryption.key or set DEPLOYSTACK_ENCRYPTION_SECRET\n",
        needed->c_str());
  }
  std::printf("next: start the server (it applies any newer migrations of this version)\n");
  return 0;
}

}  // namespace

void add_backup_commands(CLI::App& db, BackupCommands& c) {
  c.backup = db.add_subcommand(
      "backup",
      "Copy the SQLite database to FILE while the server keeps serving (SQLite's online backup "
      "API), verified (integrity_check, migrations) before it gets its name, plus "
      "FILE.manifest.json. The settings encryption key is not in the copy: keep it with it.");
  c.backup->add_option("file", c.backup_file, "The backup file to write")->required();
  c.restore = db.add_subcommand(
      "restore",
      "Replace the SQLite database with the backup FILE (refused while the server runs, or when "
      "FILE fails integrity_check or belongs to a newer version); the current database is kept "
      "as <db>.before-restore-<UTC time>.");
  c.restore->add_option("file", c.restore_file, "The backup file to restore")->required();
}

std::optional<int> run_backup_command(const BackupCommands& c, const Config& config) {
  if (c.backup && c.backup->parsed()) return backup(c, config);
  if (c.restore && c.restore->parsed()) return restore(c, config);
  return std::nullopt;
}

}  // namespace ds::cli
