#include "settings/key_management.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "core/atomic_file.hpp"
#include "core/base64.hpp"
#include "core/error.hpp"
#include "core/sodium.hpp"
#include "settings/settings_service.hpp"

namespace ds::settings {
namespace {

// Public by design: a per-install salt would have to be stored next to the data, and the
// derived key must be reproducible from the secret alone. The secret carries the entropy.
constexpr unsigned char kSalt[crypto_pwhash_SALTBYTES] = {'d', 'e', 'p', 'l', 'o', 'y', 's', 't',
                                                          'a', 'c', 'k', '.', 'k', 'd', 'f', '1'};
constexpr unsigned long long kOpsLimit = 2;
constexpr std::size_t kMemLimit = 19u * 1024 * 1024;

// Warned, not refused: the key still works, refusing it would take every secret offline for
// a permission bit, and some mounts (a read-only secret volume) cannot be chmod-ed at all.
void warn_if_readable_by_others(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return;
  spdlog::warn(
      "settings: key file {} has mode {:04o}: other users may read the key; fix it with "
      "`chmod 600 {}`",
      path.string(), st.st_mode & 07777, path.string());
}

const char* source_name(KeySource source) {
  return source == KeySource::environment ? "DEPLOYSTACK_ENCRYPTION_SECRET" : "key_file";
}

}  // namespace

Cipher::Key derive_key(const Secret& secret) {
  ensure_sodium();
  Cipher::Key key;
  const auto& text = secret.reveal();
  if (crypto_pwhash(key.data(), key.size(), text.data(), text.size(), kSalt, kOpsLimit, kMemLimit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error(Errc::internal, "could not derive the encryption key (out of memory)");
  }
  return key;
}

std::optional<Cipher::Key> read_key_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  std::string text = read_file(path);
  warn_if_readable_by_others(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  Cipher::Key key;
  const bool ok = base64_decode(text, key) == key.size();
  sodium_memzero(text.data(), text.size());
  if (!ok) {
    sodium_memzero(key.data(), key.size());
    throw Error(Errc::validation,
                fmt::format("{} does not hold a base64-encoded 256-bit key", path.string()));
  }
  return key;
}

void write_key_file(const std::filesystem::path& path, const Cipher::Key& key) {
  std::string text;
  append_base64(text, key);
  text.push_back('\n');  // fits: append_base64 leaves room, so no unwiped copy is freed
  write_file_atomically(path, text, 0600);
  sodium_memzero(text.data(), text.size());
}

KeyManager::KeyManager(const std::optional<Secret>& secret, std::filesystem::path key_file,
                       bool may_change_key_files)
    : key_file_(std::move(key_file)), may_change_key_files_(may_change_key_files) {
  load(secret);
}

void KeyManager::load(const std::optional<Secret>& secret) {
  if (secret) {
    auto key = derive_key(*secret);
    cipher_.store(std::make_shared<const Cipher>(key));
    sodium_memzero(key.data(), key.size());
    source_ = KeySource::environment;
  } else if (auto key = read_key_file(key_file_)) {
    cipher_.store(std::make_shared<const Cipher>(*key));
    sodium_memzero(key->data(), key->size());
    source_ = KeySource::key_file;
  }
  if (auto c = cipher_.load()) {
    spdlog::info("settings encryption key source={} fingerprint={}", source_name(source_),
                 c->fingerprint());
  }
}

std::shared_ptr<const Cipher> KeyManager::cipher() const {
  if (mismatch_.load()) return nullptr;
  return cipher_.load();
}

std::string KeyManager::unavailable_details() const {
  if (const auto m = mismatch_.load()) return *m;
  return std::string(kKeyUnavailableHint);
}

// Why the stored secrets themselves, and not a stored key-check value: they are what a wrong
// key would break, they need no schema change, and a check value could disagree with them
// (a database restored from a backup, a secret written by an older version). A database with
// no secret has nothing a key could mismatch; its first secret then fixes which key is right.
// One decrypting secret is enough: rotate-key re-encrypts all of them in one transaction, so
// a key that decrypts one is the database's key; the others are reported, not fatal.
void KeyManager::verify(const std::vector<StoredSecret>& secrets) {
  if (may_change_key_files_) {
    const auto outcome = resolve_pending_rotation(key_file_, cipher_.load().get(), secrets);
    if (outcome == PendingRotation::finished && source_ != KeySource::environment)
      load(std::nullopt);
  }
  const auto current = cipher_.load();
  if (!current || secrets.empty()) {
    mismatch_.store(nullptr);
    return;
  }
  std::size_t unreadable = 0;
  for (const auto& s : secrets) {
    if (!current->decrypt(s.value, s.key)) ++unreadable;
  }
  if (unreadable < secrets.size()) {
    if (unreadable > 0) {
      spdlog::warn(
          "settings: {} of {} secrets do not decrypt with the configured key (tampered or moved); "
          "GET /api/settings/:key?reveal=true names each",
          unreadable, secrets.size());
    }
    mismatch_.store(nullptr);
    return;
  }

  std::string details =
      "The configured encryption key does not match the stored secrets: restore the previous "
      "DEPLOYSTACK_ENCRYPTION_SECRET or persistent_data/encryption.key and restart (to change "
      "keys, "
      "configure the previous one and run `deploystack settings rotate-key`)";
  // The likely causes, when the files say so.
  const auto other_decrypts = [&](const std::filesystem::path& file) {
    try {
      auto key = read_key_file(file);
      if (!key) return false;
      const Cipher other(*key);
      sodium_memzero(key->data(), key->size());
      return decrypts_any(other, secrets);
    } catch (const Error&) {
      return false;
    }
  };
  if (source_ == KeySource::environment && other_decrypts(key_file_)) {
    details += "; persistent_data/encryption.key matches them: unset DEPLOYSTACK_ENCRYPTION_SECRET";
  } else if (other_decrypts(pending_key_file(key_file_))) {
    details +=
        "; an interrupted key rotation committed: start the server alone (no other deploystack "
        "command running) to finish it";
  }
  spdlog::error(
      "settings: the configured key (source={} fingerprint={}) decrypts none of the {} stored "
      "secrets. {}. Encrypted settings are unavailable (503) until then; nothing is encrypted "
      "under this key",
      source_name(source_), current->fingerprint(), secrets.size(), details);
  mismatch_.store(std::make_shared<const std::string>(std::move(details)));
}

std::shared_ptr<const Cipher> KeyManager::create_key_file() {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(key_file_, ec))) {
    throw Error(Errc::conflict,
                fmt::format("{} exists already: not replaced by a new key", key_file_.string()));
  }
  auto key = random_key();
  write_key_file(key_file_, key);
  auto cipher = std::make_shared<const Cipher>(key);
  sodium_memzero(key.data(), key.size());
  cipher_.store(cipher);
  source_ = KeySource::key_file;
  spdlog::warn(
      "created settings encryption key file={} fingerprint={}: back it up with the database",
      key_file_.string(), cipher->fingerprint());
  return cipher;
}

void KeyManager::discard_created_key() {
  cipher_.store(nullptr);
  source_ = KeySource::none;
  std::string where = "(it could not be moved)";
  try {
    where = set_key_file_aside(key_file_, ".abandoned").string();
  } catch (const Error& e) {
    spdlog::error("settings: {}", e.what());
  }
  spdlog::warn(
      "set the key file={} just created aside as {}: the database already holds secrets made "
      "under another key",
      key_file_.string(), where);
}

}  // namespace ds::settings
