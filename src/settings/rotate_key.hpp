#pragma once
// Key rotation (`deploystack settings rotate-key`) as a small recoverable state machine over
// files in persistent_data/, so that a crash at any moment loses no key:
//   1. the new random key is written to encryption.key.new (the pending key), never over an
//      existing one;
//   2. every secret is re-encrypted under it in one transaction;
//   3. finish_rotation(): the old encryption.key gets a second name, encryption.key.retired-<time>
//      (a hard link, for backups made before the rotation), and the pending key is renamed
//      over encryption.key.
// A pending key found later (the process died between 1 and 3) is resolved by what decrypts the
// stored secrets: the pending key does (2 committed) → finish; the old key does (2 never
// committed) → the pending file is renamed to encryption.key.new.abandoned-<time>. No key
// file is ever removed or written over without a second name.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.hpp"
#include "settings/cipher.hpp"

namespace ds::settings {

// One encrypted setting as stored: what a key is checked against.
struct StoredSecret {
  std::string key;
  std::string value;
};

// Every encrypted setting of `db`.
std::vector<StoredSecret> stored_secrets(db::Connection& db);
// Whether `cipher` decrypts at least one of `secrets` (a key that decrypts none is not the
// database's key). False for an empty list: with no secret, nothing says which key is right.
bool decrypts_any(const Cipher& cipher, const std::vector<StoredSecret>& secrets);

// encryption.key.new beside `key_file`.
std::filesystem::path pending_key_file(const std::filesystem::path& key_file);

// Decrypts every encrypted setting with `from` and stores it encrypted with `to`, all in one
// transaction. When any secret does not decrypt with `from`, nothing changes and
// ds::Error(validation) names those keys. Returns how many secrets were re-encrypted.
std::size_t rotate_secrets(db::Connection& db, const Cipher& from, const Cipher& to);

// Renames `file` to `<file><suffix>-<UTC time>` (a name no file has yet) and returns it: how a
// key file that is no longer wanted is put away instead of removed.
std::filesystem::path set_key_file_aside(const std::filesystem::path& file,
                                         std::string_view suffix);

// Step 3 above, after the re-encryption committed; returns the old key's new name (none when
// there was no key file). Throws ds::Error(io); what it leaves is still resolvable by
// resolve_pending_rotation().
std::optional<std::filesystem::path> finish_rotation(const std::filesystem::path& key_file);

enum class PendingRotation {
  none,         // no pending key file
  finished,     // it decrypts the stored secrets (or there are none): moved into place
  rolled_back,  // the current key decrypts them: the pending file was set aside
  unresolved,   // neither key decrypts them (or it is unreadable): left untouched
};

// Resolves a pending key left by an interrupted rotation (see above); `current` is the key
// configured now (null when none). Logs what it did. Call only while holding the data folder
// lock (core/data_dir_lock.hpp). Throws ds::Error(io) when a rename fails.
PendingRotation resolve_pending_rotation(const std::filesystem::path& key_file,
                                         const Cipher* current,
                                         const std::vector<StoredSecret>& secrets);

}  // namespace ds::settings
