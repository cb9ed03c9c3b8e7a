// The rotation state machine on real files (settings/rotate_key.hpp): whatever a crash left,
// resolving it keeps every key file and ends with the key that decrypts the secrets in place.
#include <gtest/gtest.h>

#include <set>

#include "core/atomic_file.hpp"
#include "settings/key_management.hpp"
#include "settings/rotate_key.hpp"
#include "support/temp_dir.hpp"

namespace ds::settings {
namespace {

class KeyRotationState : public ::testing::Test {
 protected:
  KeyRotationState() {
    write_key_file(key_file, old_key);
    write_key_file(pending, new_key);
  }
  std::vector<StoredSecret> secrets_under(const Cipher::Key& key) {
    const Cipher c(key);
    return {{"smtp.password", c.encrypt("p", "smtp.password")}, {"k.enc", c.encrypt("v", "k.enc")}};
  }
  // Every file of the folder whose name starts with `prefix`, with its key's fingerprint.
  std::set<std::string> fingerprints_of(const std::string& prefix) {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      if (!e.path().filename().string().starts_with(prefix)) continue;
      out.insert(Cipher(*read_key_file(e.path())).fingerprint());
    }
    return out;
  }
  std::string fp(const Cipher::Key& k) { return Cipher(k).fingerprint(); }

  test::TempDir dir;
  std::filesystem::path key_file = dir / "encryption.key";
  std::filesystem::path pending = dir / "encryption.key.new";
  Cipher::Key old_key = random_key();
  Cipher::Key new_key = random_key();
};

TEST_F(KeyRotationState, CommittedRotationIsFinishedAndTheOldKeyKept) {
  const Cipher current(old_key);
  EXPECT_EQ(resolve_pending_rotation(key_file, &current, secrets_under(new_key)),
            PendingRotation::finished);
  EXPECT_FALSE(std::filesystem::exists(pending));
  EXPECT_EQ(Cipher(*read_key_file(key_file)).fingerprint(), fp(new_key));
  EXPECT_EQ(fingerprints_of("encryption.key.retired-"), std::set<std::string>{fp(old_key)});
}

TEST_F(KeyRotationState, UncommittedRotationIsRolledBackAndThePendingKeySetAside) {
  const Cipher current(old_key);
  EXPECT_EQ(resolve_pending_rotation(key_file, &current, secrets_under(old_key)),
            PendingRotation::rolled_back);
  EXPECT_FALSE(std::filesystem::exists(pending));
  EXPECT_EQ(Cipher(*read_key_file(key_file)).fingerprint(), fp(old_key));
  EXPECT_EQ(fingerprints_of("encryption.key.new.abandoned-"), std::set<std::string>{fp(new_key)});
}

TEST_F(KeyRotationState, NeitherKeyDecryptsLeavesEverythingAsItIs) {
  const Cipher current(old_key);
  EXPECT_EQ(resolve_pending_rotation(key_file, &current, secrets_under(random_key())),
            PendingRotation::unresolved);
  EXPECT_EQ(Cipher(*read_key_file(pending)).fingerprint(), fp(new_key));
  EXPECT_EQ(Cipher(*read_key_file(key_file)).fingerprint(), fp(old_key));
}

TEST_F(KeyRotationState, ManagerFinishesWhenItHoldsTheLockAndUsesTheNewKey) {
  KeyManager keys(std::nullopt, key_file, /*may_change_key_files=*/true);
  keys.verify(secrets_under(new_key));
  ASSERT_TRUE(keys.cipher());
  EXPECT_EQ(keys.cipher()->fingerprint(), fp(new_key));
}

TEST_F(KeyRotationState, ManagerWithoutTheLockChangesNoFileAndRefusesTheOldKey) {
  KeyManager keys(std::nullopt, key_file);
  keys.verify(secrets_under(new_key));
  EXPECT_FALSE(keys.cipher());
  EXPECT_NE(keys.unavailable_details().find("does not match"), std::string::npos);
  EXPECT_NE(keys.unavailable_details().find("interrupted key rotation"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(pending));
}

TEST(KeyManagerVerify, KeyThatDecryptsNoSecretIsRefused) {
  test::TempDir dir;
  KeyManager keys(Secret("the new secret"), dir / "encryption.key");
  const Cipher other(random_key());
  keys.verify({{"smtp.password", other.encrypt("p", "smtp.password")}});
  EXPECT_FALSE(keys.cipher());
  EXPECT_NE(keys.unavailable_details().find("does not match"), std::string::npos);
  // A database without secrets says nothing against the key.
  keys.verify({});
  EXPECT_TRUE(keys.cipher());
}

TEST(KeyManagerVerify, CreatingAKeyFileNeverReplacesOne) {
  test::TempDir dir;
  const auto path = dir / "encryption.key";
  write_file_atomically(path, "not a key\n", 0600);
  try {
    KeyManager keys(std::nullopt, path);
    FAIL() << "an invalid key file was accepted";
  } catch (const Error&) {
  }
  KeyManager none(std::nullopt, dir / "missing.key");
  write_file_atomically(dir / "missing.key", "appeared meanwhile\n", 0600);
  EXPECT_THROW(none.create_key_file(), Error);
  EXPECT_EQ(read_file(dir / "missing.key"), "appeared meanwhile\n");
}

}  // namespace
}  // namespace ds::settings
