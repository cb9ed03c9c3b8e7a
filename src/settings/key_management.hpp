#pragma once
// Where the settings encryption key comes from, decided once at start:
//   1. DEPLOYSTACK_ENCRYPTION_SECRET: the key is derived from it with Argon2id, once;
//   2. else persistent_data/encryption.key: a random 256-bit key, base64, mode 0600;
//   3. else no key: secrets are unavailable (503) until one of the two is provided. Setup on
//      a database without secrets creates the key file (create_key_file()).
// There is no built-in fallback secret. Once the database is open, verify() checks that key
// against the stored secrets, so a database never ends up holding secrets under two keys.
#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/secret.hpp"
#include "settings/cipher.hpp"
#include "settings/rotate_key.hpp"

namespace ds::settings {

// Argon2id, libsodium's crypto_pwhash: 2 passes over 19 MiB (OWASP's minimum profile), a fixed
// application salt. Deterministic: the same secret always gives the same key. Takes tens of
// milliseconds, so it runs once per process, never per request.
Cipher::Key derive_key(const Secret& secret);

// The key in `path`, or nullopt when the file does not exist. Throws ds::Error(io) when it
// cannot be read and ds::Error(validation) when it does not hold a base64 256-bit key. Logs a
// warning when other users may read the file (mode wider than 0600).
std::optional<Cipher::Key> read_key_file(const std::filesystem::path& path);
// Writes `key` atomically with mode 0600.
void write_key_file(const std::filesystem::path& path, const Cipher::Key& key);

enum class KeySource { environment, key_file, none };

class KeyManager {
 public:
  // `may_change_key_files`: this process holds the data folder lock (core/data_dir_lock.hpp),
  // so verify() may finish or roll back an interrupted rotation.
  KeyManager(const std::optional<Secret>& secret, std::filesystem::path key_file,
             bool may_change_key_files = false);

  // The cipher for the current key, or null when no key is available or the key does not
  // match the stored secrets (verify()). Thread-safe.
  std::shared_ptr<const Cipher> cipher() const;
  KeySource source() const { return source_.load(); }
  const std::filesystem::path& key_file() const noexcept { return key_file_; }
  // Why cipher() is null, for the `details` of a 503 answer and for errors. Never secret.
  std::string unavailable_details() const;

  // Checks the configured key against `secrets`, the database's encrypted settings, before
  // anything is encrypted for it (the settings init stage, at setup and at every start).
  // First resolves an interrupted rotation when allowed (rotate_key.hpp). A key that
  // decrypts none of the secrets is not the database's key: an error says what to do and
  // cipher() answers null, so no secret is ever written under it.
  void verify(const std::vector<StoredSecret>& secrets);

  // Creates the key file with a new random key and starts using it. Only for a database that
  // holds no secret yet (a new key cannot read old ciphertexts) and only when there is no key
  // file: throws ds::Error(conflict) rather than replace one. Logs the path, never the key.
  std::shared_ptr<const Cipher> create_key_file();
  // Undoes create_key_file() when it turns out the database held secrets after all (nothing
  // was encrypted under the new key): sets the file aside and goes back to "no key".
  void discard_created_key();

 private:
  void load(const std::optional<Secret>& secret);

  std::filesystem::path key_file_;
  bool may_change_key_files_;
  std::atomic<std::shared_ptr<const Cipher>> cipher_;
  std::atomic<KeySource> source_{KeySource::none};
  // Set when verify() found the key does not match: the 503 details; null otherwise.
  std::atomic<std::shared_ptr<const std::string>> mismatch_;
};

}  // namespace ds::settings
