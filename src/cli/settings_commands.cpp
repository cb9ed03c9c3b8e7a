#include "cli/settings_commands.hpp"

#include <cstdio>
#include <filesystem>

#include "core/error.hpp"
#include "settings/key_management.hpp"
#include "settings/rotate_key.hpp"
#include "setup/database_manager.hpp"

namespace ds::cli {
namespace {

int rotate_key(const SettingsCommands& c, const Config& config, const Env& env) {
  const auto key_file = config.data_dir / "encryption.key";
  settings::KeyManager current(config.encryption_secret, key_file);
  const auto from = current.cipher();
  if (!from) {
    throw Error(Errc::unavailable, "no current key: set DEPLOYSTACK_ENCRYPTION_SECRET or restore " +
                                       key_file.string());
  }

  // The new key: derived from a new secret, or a new random key file.
  const auto new_secret = env.get(c.new_secret_env);
  const auto pending_file = std::filesystem::path(key_file.string() + ".new");
  settings::Cipher::Key new_key = new_secret ? settings::derive_key(Secret(*new_secret)) : settings::random_key();
  const settings::Cipher to(new_key);
  // Written before the data changes, so the new key is never lost: the rename below only
  // happens once the re-encryption committed.
  if (!new_secret) settings::write_key_file(pending_file, new_key);

  setup::DatabaseManager manager(config, {});
  manager.boot();
  const auto db = manager.database();
  if (!db) {
    std::filesystem::remove(pending_file);
    throw Error(Errc::unavailable, "the database is not available: run setup first (see GET /api/db/status)");
  }
  std::size_t count = 0;
  try {
    count = settings::rotate_secrets(*db, *from, to);
  } catch (...) {
    std::filesystem::remove(pending_file);
    throw;
  }
  manager.close();

  std::printf("re-encrypted %zu secret(s); new key fingerprint %s\n", count, to.fingerprint().c_str());
  if (new_secret) {
    std::printf("next: set DEPLOYSTACK_ENCRYPTION_SECRET to the value of %s and restart the server\n",
                c.new_secret_env.c_str());
    if (current.source() == settings::KeySource::key_file) {
      std::printf("then delete %s (it holds the old key)\n", key_file.c_str());
    }
  } else {
    std::filesystem::rename(pending_file, key_file);
    std::printf("the new key is in %s (back it up with the database)\n", key_file.c_str());
    if (current.source() == settings::KeySource::environment) {
      std::printf("next: unset DEPLOYSTACK_ENCRYPTION_SECRET (it wins over the key file) and restart the server\n");
    } else {
      std::printf("next: restart the server\n");
    }
  }
  return 0;
}

}  // namespace

void add_settings_commands(CLI::App& app, SettingsCommands& c) {
  auto* settings = app.add_subcommand("settings", "Global settings commands");
  settings->require_subcommand(1);
  c.rotate_key = settings->add_subcommand(
      "rotate-key",
      "Re-encrypt every secret setting under a new key, in one transaction (stop the server first). "
      "The new key comes from the variable named by --new-secret-env, else a new random key file.");
  c.rotate_key->add_option("--new-secret-env", c.new_secret_env,
                           "Environment variable holding the new secret")
      ->capture_default_str();
}

std::optional<int> run_settings_command(const SettingsCommands& c, const Config& config, const Env& env) {
  if (c.rotate_key && c.rotate_key->parsed()) return rotate_key(c, config, env);
  return std::nullopt;
}

}  // namespace ds::cli
