#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "settings/cipher.hpp"
#include "settings/key_management.hpp"
#include "support/temp_dir.hpp"

namespace ds::settings {
namespace {

TEST(SettingsCipher, RoundTripsAndHidesPlaintext) {
  const Cipher c(random_key());
  const auto stored = c.encrypt("hunter2-very-secret", "smtp.password");
  EXPECT_TRUE(stored.starts_with("v1:"));
  EXPECT_EQ(stored.find("hunter2"), std::string::npos);
  EXPECT_EQ(c.decrypt(stored, "smtp.password"), "hunter2-very-secret");
}

TEST(SettingsCipher, EmptyValueIsStillCiphertext) {
  const Cipher c(random_key());
  const auto stored = c.encrypt("", "k");
  EXPECT_TRUE(Cipher::looks_encrypted(stored));
  EXPECT_EQ(c.decrypt(stored, "k"), "");
}

TEST(SettingsCipher, SamePlaintextEncryptsDifferently) {
  const Cipher c(random_key());
  EXPECT_NE(c.encrypt("x", "k"), c.encrypt("x", "k"));
}

TEST(SettingsCipher, CiphertextBoundToItsSetting) {
  const Cipher c(random_key());
  const auto stored = c.encrypt("secret", "smtp.password");
  EXPECT_FALSE(c.decrypt(stored, "github.oauth.client_secret"));
}

TEST(SettingsCipher, OtherKeyOrTamperingFails) {
  const Cipher a(random_key());
  const Cipher b(random_key());
  auto stored = a.encrypt("secret", "k");
  EXPECT_FALSE(b.decrypt(stored, "k"));
  stored[10] = stored[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(a.decrypt(stored, "k"));
  EXPECT_FALSE(a.decrypt("v1:", "k"));
  EXPECT_FALSE(a.decrypt("v1:not base64!", "k"));
  EXPECT_FALSE(a.decrypt("v1:AAAA", "k"));
  EXPECT_FALSE(a.decrypt("plain text", "k"));
  EXPECT_FALSE(a.decrypt("v2:" + stored.substr(3), "k"));
}

TEST(SettingsKeys, DerivationIsDeterministicAndSecretSpecific) {
  const auto k1 = derive_key(Secret("correct horse battery staple"));
  const auto k2 = derive_key(Secret("correct horse battery staple"));
  const auto k3 = derive_key(Secret("correct horse battery stapler"));
  EXPECT_EQ(k1, k2);
  EXPECT_NE(k1, k3);
  const Cipher c1(k1);
  const Cipher c2(k2);
  EXPECT_EQ(c2.decrypt(c1.encrypt("v", "k"), "k"), "v");
  EXPECT_EQ(c1.fingerprint(), c2.fingerprint());
  EXPECT_NE(c1.fingerprint(), Cipher(k3).fingerprint());
}

TEST(SettingsKeys, DerivationIsOncePerProcessCheap) {
  // Derived once at start; it must not dominate start-up.
  const auto t0 = std::chrono::steady_clock::now();
  (void)derive_key(Secret("s"));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - t0)
                      .count();
  EXPECT_LT(ms, 1000);
}

TEST(SettingsKeys, KeyFileRoundTripsWithMode0600) {
  test::TempDir dir;
  const auto path = dir / "persistent_data/encryption.key";
  EXPECT_FALSE(read_key_file(path));
  const auto key = random_key();
  write_key_file(path, key);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(read_key_file(path), key);
}

TEST(SettingsKeys, MalformedKeyFileIsAClearError) {
  test::TempDir dir;
  const auto path = dir / "encryption.key";
  write_file_atomically(path, "too short\n", 0600);
  try {
    read_key_file(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::validation);
    EXPECT_NE(std::string(e.what()).find("256-bit"), std::string::npos);
  }
}

TEST(SettingsKeys, ManagerPrefersTheEnvironmentSecret) {
  test::TempDir dir;
  const auto path = dir / "encryption.key";
  write_key_file(path, random_key());
  KeyManager from_env(Secret("s3cret"), path);
  EXPECT_EQ(from_env.source(), KeySource::environment);
  KeyManager from_file(std::nullopt, path);
  EXPECT_EQ(from_file.source(), KeySource::key_file);
  ASSERT_TRUE(from_file.cipher());
  EXPECT_NE(from_env.cipher()->fingerprint(), from_file.cipher()->fingerprint());
}

TEST(SettingsKeys, ManagerWithoutAnySourceHasNoKeyUntilCreated) {
  test::TempDir dir;
  const auto path = dir / "persistent_data/encryption.key";
  KeyManager m(std::nullopt, path);
  EXPECT_EQ(m.source(), KeySource::none);
  EXPECT_FALSE(m.cipher());
  const auto c = m.create_key_file();
  EXPECT_EQ(m.cipher(), c);
  EXPECT_EQ(m.source(), KeySource::key_file);
  KeyManager again(std::nullopt, path);
  EXPECT_EQ(again.cipher()->fingerprint(), c->fingerprint());
}

}  // namespace
}  // namespace ds::settings
