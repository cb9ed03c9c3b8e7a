// Known answers for the settings cipher and the key derivation: values computed once with
// libsodium from the documented format (cipher.hpp, key_management.hpp) and checked in, so a
// change of Argon2id parameters, salt, algorithm or layout fails here instead of making the
// secrets already stored unreadable.
#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "settings/cipher.hpp"
#include "settings/key_management.hpp"

namespace ds::settings {
namespace {

std::string hex(const Cipher::Key& key) {
  char out[Cipher::kKeyBytes * 2 + 1];
  sodium_bin2hex(out, sizeof out, key.data(), key.size());
  return out;
}

Cipher::Key counting_key() {
  Cipher::Key key;
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i);
  return key;
}

// Key 00 01 .. 1f, nonce 40 41 .. 57, setting key "smtp.password".
constexpr std::string_view kCountingKeyText =
    "v1:QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXt1Z3ArWDDTbnm/"
    "XNyrwH8+bOyLZqeSDuC0GRIHxFcO3oBTOPN4NfWgTq9ZA=";
// derive_key("known-answer secret"), the same nonce, setting key "github.oauth.client_secret".
constexpr std::string_view kDerivedKeyText =
    "v1:QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXKUtFCXKji+2xJ9pk7XPDbs3nsThcPg==";

TEST(SettingsKnownAnswer, DerivedKeyOfAFixedSecret) {
  EXPECT_EQ(hex(derive_key(Secret("known-answer secret"))),
            "644e8035007b531349b92552e5a02a0526ccd7cdbe5f2f351d66bfa7a0103a06");
}

TEST(SettingsKnownAnswer, DecryptsTheCheckedInText) {
  const Cipher c(counting_key());
  EXPECT_EQ(c.decrypt(kCountingKeyText, "smtp.password"), "correct horse battery staple");
  EXPECT_FALSE(c.decrypt(kCountingKeyText, "smtp.user")) << "the setting key is bound in";
}

TEST(SettingsKnownAnswer, DecryptsTextMadeUnderADerivedKey) {
  const Cipher c(derive_key(Secret("known-answer secret")));
  EXPECT_EQ(c.decrypt(kDerivedKeyText, "github.oauth.client_secret"), "s3cr3t");
}

// encrypt() takes a random nonce, so its output is checked by layout: "v1:" + base64(nonce |
// ciphertext | tag), opened here with libsodium directly, not through Cipher.
TEST(SettingsKnownAnswer, EncryptWritesTheDocumentedLayout) {
  const auto key = counting_key();
  const std::string text = Cipher(key).encrypt("correct horse battery staple", "smtp.password");
  ASSERT_TRUE(text.starts_with("v1:"));
  EXPECT_EQ(text.size(), kCountingKeyText.size());
  const std::string b64 = text.substr(3);
  unsigned char raw[128];
  std::size_t len = 0;
  ASSERT_EQ(sodium_base642bin(raw, sizeof raw, b64.data(), b64.size(), nullptr, &len, nullptr,
                              sodium_base64_VARIANT_ORIGINAL),
            0);
  constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  ASSERT_GT(len, kNonce);
  unsigned char plain[128];
  unsigned long long plain_len = 0;
  const std::string ad = "smtp.password";
  ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_decrypt(
                plain, &plain_len, nullptr, raw + kNonce, len - kNonce,
                reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), raw, key.data()),
            0);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(plain), plain_len),
            "correct horse battery staple");
}

}  // namespace
}  // namespace ds::settings
