#pragma once
// Where the settings encryption key comes from, decided once at start:
//   1. DEPLOYSTACK_ENCRYPTION_SECRET: the key is derived from it with Argon2id, once;
//   2. else persistent_data/encryption.key: a random 256-bit key, base64, mode 0600;
//   3. else no key: secrets are unavailable (503) until one of the two is provided. Setup on
//      a database without secrets creates the key file (create_key_file()).
// There is no built-in fallback secret.
#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>

#include "core/secret.hpp"
#include "settings/cipher.hpp"

namespace ds::settings {

// Argon2id, libsodium's crypto_pwhash: 2 passes over 19 MiB (OWASP's minimum profile), a fixed
// application salt. Deterministic: the same secret always gives the same key. Takes tens of
// milliseconds, so it runs once per process, never per request.
Cipher::Key derive_key(const Secret& secret);

// The key in `path`, or nullopt when the file does not exist. Throws ds::Error(io) when it
// cannot be read and ds::Error(validation) when it does not hold a base64 256-bit key.
std::optional<Cipher::Key> read_key_file(const std::filesystem::path& path);
// Writes `key` atomically with mode 0600.
void write_key_file(const std::filesystem::path& path, const Cipher::Key& key);

enum class KeySource { environment, key_file, none };

class KeyManager {
 public:
  KeyManager(const std::optional<Secret>& secret, std::filesystem::path key_file);

  // The cipher for the current key, or null when no key is available. Thread-safe.
  std::shared_ptr<const Cipher> cipher() const { return cipher_.load(); }
  KeySource source() const { return source_.load(); }
  const std::filesystem::path& key_file() const noexcept { return key_file_; }

  // Creates the key file with a new random key and starts using it. Only for a database that
  // holds no secret yet (a new key cannot read old ciphertexts). Logs the path, never the key.
  std::shared_ptr<const Cipher> create_key_file();
  // Undoes create_key_file() when it turns out the database held secrets after all (nothing
  // was encrypted under the new key): removes the file and goes back to "no key".
  void discard_created_key();

 private:
  std::filesystem::path key_file_;
  std::atomic<std::shared_ptr<const Cipher>> cipher_;
  std::atomic<KeySource> source_{KeySource::none};
};

}  // namespace ds::settings
