#include "settings/cipher.hpp"

#include <sodium.h>

#include <vector>

#include "core/base64.hpp"
#include "core/sodium.hpp"

namespace ds::settings {
namespace {

constexpr std::string_view kPrefix = "v1:";
constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;

const unsigned char* bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Cipher::Key random_key() {
  ensure_sodium();
  Cipher::Key key;
  randombytes_buf(key.data(), key.size());
  return key;
}

Cipher::Cipher(const Key& key) : key_(key) { ensure_sodium(); }

Cipher::~Cipher() { sodium_memzero(key_.data(), key_.size()); }

std::string Cipher::encrypt(std::string_view plaintext, std::string_view setting_key) const {
  std::vector<unsigned char> raw(kNonce + plaintext.size() + kTag);
  randombytes_buf(raw.data(), kNonce);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(raw.data() + kNonce, &written, bytes(plaintext),
                                             plaintext.size(), bytes(setting_key),
                                             setting_key.size(), nullptr, raw.data(), key_.data());
  std::string out(kPrefix);
  append_base64(out, raw);
  return out;
}

std::optional<std::string> Cipher::decrypt(std::string_view stored,
                                           std::string_view setting_key) const {
  if (!looks_encrypted(stored)) return std::nullopt;
  const auto raw = base64_decode(stored.substr(kPrefix.size()));
  if (!raw || raw->size() < kNonce + kTag) return std::nullopt;
  std::string plain(raw->size() - kNonce - kTag, '\0');
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &plain_len, nullptr, raw->data() + kNonce,
          raw->size() - kNonce, bytes(setting_key), setting_key.size(), raw->data(),
          key_.data()) != 0) {
    return std::nullopt;
  }
  plain.resize(plain_len);
  return plain;
}

bool Cipher::looks_encrypted(std::string_view stored) noexcept {
  return stored.size() > kPrefix.size() && stored.substr(0, kPrefix.size()) == kPrefix;
}

std::string Cipher::fingerprint() const {
  // A keyed hash of a constant: identifies the key without revealing anything about it.
  constexpr std::string_view kLabel = "deploystack settings key fingerprint";
  unsigned char h[8];
  crypto_generichash(h, sizeof h, bytes(kLabel), kLabel.size(), key_.data(), key_.size());
  char hex[sizeof h * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

}  // namespace ds::settings
