#include "settings/key_management.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace ds::settings {
namespace {

// Public by design: a per-install salt would have to be stored next to the data, and the
// derived key must be reproducible from the secret alone. The secret carries the entropy.
constexpr unsigned char kSalt[crypto_pwhash_SALTBYTES] = {'d', 'e', 'p', 'l', 'o', 'y', 's', 't',
                                                          'a', 'c', 'k', '.', 'k', 'd', 'f', '1'};
constexpr unsigned long long kOpsLimit = 2;
constexpr std::size_t kMemLimit = 19u * 1024 * 1024;

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
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  ensure_sodium();
  Cipher::Key key;
  std::size_t len = 0;
  const bool ok = sodium_base642bin(key.data(), key.size(), text.data(), text.size(), nullptr, &len,
                                    nullptr, sodium_base64_VARIANT_ORIGINAL) == 0 &&
                  len == key.size();
  sodium_memzero(text.data(), text.size());
  if (!ok) {
    throw Error(Errc::validation,
                fmt::format("{} does not hold a base64-encoded 256-bit key", path.string()));
  }
  return key;
}

void write_key_file(const std::filesystem::path& path, const Cipher::Key& key) {
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string text(sodium_base64_encoded_len(key.size(), kVariant), '\0');
  sodium_bin2base64(text.data(), text.size(), key.data(), key.size(), kVariant);
  text.back() = '\n';  // replaces the terminating NUL
  write_file_atomically(path, text, 0600);
  sodium_memzero(text.data(), text.size());
}

KeyManager::KeyManager(const std::optional<Secret>& secret, std::filesystem::path key_file)
    : key_file_(std::move(key_file)) {
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
    spdlog::info("settings encryption key source={} fingerprint={}",
                 source_ == KeySource::environment ? "DEPLOYSTACK_ENCRYPTION_SECRET" : "key_file",
                 c->fingerprint());
  }
}

std::shared_ptr<const Cipher> KeyManager::create_key_file() {
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
  std::error_code ec;
  std::filesystem::remove(key_file_, ec);
  spdlog::warn(
      "removed the key file={} just created: the database already holds secrets made under "
      "another key",
      key_file_.string());
}

}  // namespace ds::settings
