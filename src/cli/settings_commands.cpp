#include "cli/settings_commands.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sodium.h>

#include <cstdio>
#include <filesystem>

#include "cli/selected_database.hpp"
#include "core/data_dir_lock.hpp"
#include "core/error.hpp"
#include "settings/key_management.hpp"
#include "settings/rotate_key.hpp"

namespace ds::cli {
namespace {

// A pending key from an interrupted rotation is resolved first, and then this run stops:
// rotating again on top of it is what once destroyed the only key that decrypted.
void refuse_while_pending(settings::PendingRotation outcome,
                          const std::filesystem::path& key_file) {
  using settings::PendingRotation;
  const auto pending = settings::pending_key_file(key_file).string();
  switch (outcome) {
    case PendingRotation::none:
      return;
    case PendingRotation::finished:
      throw Error(
          Errc::conflict,
          fmt::format(
              "an earlier rotation had committed but not moved its key into place; it is now "
              "finished ({} is the key). Nothing else was changed: run rotate-key again to "
              "rotate once more",
              key_file.string()));
    case PendingRotation::rolled_back:
      throw Error(
          Errc::conflict,
          fmt::format(
              "an earlier rotation never committed; its unused key {} was set aside (see the "
              "log). Nothing else was changed: run rotate-key again to rotate",
              pending));
    case PendingRotation::unresolved:
      throw Error(
          Errc::conflict,
          fmt::format(
              "{} is left from an interrupted rotation and neither it nor the configured key "
              "decrypts the stored secrets; nothing was changed and the file is kept. Configure "
              "the key the secrets were made under, then run rotate-key again",
              pending));
  }
}

int rotate_key(const SettingsCommands& c, const Config& config, const Env& env) {
  // Never beside a live server: it would keep using the old key.
  const auto lock = DataDirLock::acquire(config.data_dir, "settings rotate-key");
  const auto key_file = config.data_dir / "encryption.key";
  const auto pending_file = settings::pending_key_file(key_file);
  settings::KeyManager current(config.encryption_secret, key_file);

  auto db = open_selected_database(config, db::OpenMode::must_exist);
  const auto secrets = settings::stored_secrets(*db);
  refuse_while_pending(
      settings::resolve_pending_rotation(key_file, current.cipher().get(), secrets), key_file);

  const auto from = current.cipher();
  if (!from) {
    throw Error(Errc::unavailable, "no current key: set DEPLOYSTACK_ENCRYPTION_SECRET or restore " +
                                       key_file.string());
  }
  // Checked before the new key is written, so a refusal leaves no file behind.
  std::vector<std::string> unreadable;
  for (const auto& s : secrets) {
    if (!from->decrypt(s.value, s.key)) unreadable.push_back(s.key);
  }
  if (!unreadable.empty()) {
    throw Error(Errc::validation,
                fmt::format("the current key does not decrypt: {}; nothing was changed",
                            fmt::join(unreadable, ", ")));
  }

  // The new key: derived from a new secret, or a new random key file.
  const auto new_secret = env.get(c.new_secret_env);
  settings::Cipher::Key new_key =
      new_secret ? settings::derive_key(Secret(*new_secret)) : settings::random_key();
  const settings::Cipher to(new_key);
  // Written before the data changes, so the new key is on disk before anything needs it; no
  // pending file exists here (resolved above, under the lock), so nothing is replaced.
  if (!new_secret) settings::write_key_file(pending_file, new_key);
  sodium_memzero(new_key.data(), new_key.size());

  std::size_t count = 0;
  try {
    count = settings::rotate_secrets(*db, *from, to);
  } catch (const Error& e) {
    if (new_secret) throw;
    // Whether a failed commit (a lost answer from Turso) took effect is not known here: the
    // pending key stays, and the next start decides by what decrypts.
    throw Error(e.code(),
                fmt::format("{}. The new key stays in {}: the next start of the server (or of "
                            "rotate-key) finishes or rolls back the rotation",
                            e.what(), pending_file.string()));
  }
  db.reset();  // done with the database before the key files change

  std::printf("re-encrypted %zu secret(s); new key fingerprint %s\n", count,
              to.fingerprint().c_str());
  if (new_secret) {
    std::printf(
        "next: set DEPLOYSTACK_ENCRYPTION_SECRET to the value of %s (in the environment or .env) "
        "and restart "
        "the server. Until then it refuses encrypted settings (503, the key does not match) rather "
        "than use "
        "the old key\n",
        c.new_secret_env.c_str());
    if (current.source() == settings::KeySource::key_file) {
      std::printf(
          "%s still holds the old key, unused while DEPLOYSTACK_ENCRYPTION_SECRET is set: keep it "
          "for backups made before now\n",
          key_file.c_str());
    }
    return 0;
  }
  const auto retired = settings::finish_rotation(key_file);
  std::printf("the new key is in %s (back it up with the database)\n", key_file.c_str());
  if (retired)
    std::printf("the previous key stays in %s, for backups made before now\n", retired->c_str());
  if (current.source() == settings::KeySource::environment) {
    std::printf(
        "next: unset DEPLOYSTACK_ENCRYPTION_SECRET (it wins over the key file) and restart the "
        "server. Until "
        "then it refuses encrypted settings (503, the key does not match) rather than use the old "
        "key\n");
  } else {
    std::printf("next: restart the server\n");
  }
  return 0;
}

}  // namespace

void add_settings_commands(CLI::App& app, SettingsCommands& c) {
  auto* settings = app.add_subcommand("settings", "Global settings commands");
  settings->require_subcommand(1);
  c.rotate_key = settings->add_subcommand("rotate-key",
                                          "Re-encrypt every secret setting under a new key, in one "
                                          "transaction (refused while the server "
                                          "runs). The new key comes from the variable named by "
                                          "--new-secret-env, else a new random key file.");
  c.rotate_key
      ->add_option("--new-secret-env", c.new_secret_env,
                   "Environment variable holding the new secret")
      ->capture_default_str();
}

std::optional<int> run_settings_command(const SettingsCommands& c, const Config& config,
                                        const Env& env) {
  if (c.rotate_key && c.rotate_key->parsed()) return rotate_key(c, config, env);
  return std::nullopt;
}

}  // namespace ds::cli
