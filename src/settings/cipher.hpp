#pragma once
// Authenticated encryption of setting values: XChaCha20-Poly1305 (IETF) from libsodium, with
// the setting's key as associated data, so a ciphertext copied onto another setting fails to
// decrypt. Stored form: "v1:" + base64(nonce[24] | ciphertext | tag[16]). The version prefix
// names the algorithm; a new format gets a new prefix and old values stay readable.
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ds::settings {

class Cipher {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  using Key = std::array<unsigned char, kKeyBytes>;

  explicit Cipher(const Key& key);
  Cipher(const Cipher&) = delete;
  Cipher& operator=(const Cipher&) = delete;
  ~Cipher();  // wipes the key

  // A fresh random nonce every call: the same plaintext never encrypts to the same text.
  std::string encrypt(std::string_view plaintext, std::string_view setting_key) const;

  // The plaintext, or nullopt when `stored` is not in a known format, was made under another
  // key, was changed, or belongs to another setting.
  std::optional<std::string> decrypt(std::string_view stored, std::string_view setting_key) const;

  // Whether `stored` has the shape of a ciphertext this class writes (not whether it decrypts).
  static bool looks_encrypted(std::string_view stored) noexcept;

  // A short, non-secret fingerprint of the key (for logs: which key is in use).
  std::string fingerprint() const;

 private:
  Key key_;
};

// libsodium's CSPRNG: a new random key.
Cipher::Key random_key();

}  // namespace ds::settings
