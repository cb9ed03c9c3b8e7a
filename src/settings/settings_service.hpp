#pragma once
// Reading and writing global settings: typed getters for application code (with a cache that
// holds stored values only: a secret is decrypted per call, never kept), and the operations
// behind /api/settings. All queries are typed (db/query.hpp); secrets are sealed here, so a
// plaintext secret never reaches the database.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/secret.hpp"
#include "db/connection.hpp"
#include "db/schema.sqlite.hpp"
#include "settings/key_management.hpp"
#include "settings/registry.hpp"

namespace ds::settings {

using SettingRow = db::dsl::Row<db::core::GlobalSettings>;
using GroupRow = db::dsl::Row<db::core::GlobalSettingGroups>;

// Why a secret's plaintext is not available.
enum class SecretState {
  ok,
  key_unavailable,  // no DEPLOYSTACK_ENCRYPTION_SECRET and no persistent_data/encryption.key
  decrypt_failed,   // wrong key, tampered, or moved from another setting
};

struct Revealed {
  SecretState state = SecretState::ok;
  std::string plaintext;
};

struct NewSetting {
  std::string key{};
  std::optional<std::string> name{};
  std::string value{};  // stored text form, already valid for `type`
  SettingType type = SettingType::string;
  std::optional<std::string> description{};
  bool encrypted = false;
  std::optional<std::string> group_id{};
};

// A partial update: an absent field is left as it is.
struct SettingChange {
  std::optional<std::string> value{};  // stored text form, valid for the setting's type
  std::optional<SettingType> type{};   // bulk updates carry a type
  std::optional<std::optional<std::string>> description{};
  std::optional<bool> encrypted{};     // absent: an encrypted setting stays encrypted
  std::optional<std::optional<std::string>> group_id{};
};

class SettingsService {
 public:
  using ConnectionSource = std::function<std::shared_ptr<db::Connection>()>;

  SettingsService(const Registry& registry, KeyManager& keys, ConnectionSource live_database);

  const Registry& registry() const noexcept { return registry_; }
  KeyManager& keys() noexcept { return keys_; }

  // --- typed getters (cached; nullopt when the setting does not exist or no database) ---
  // Throw ds::Error(validation) when the setting has another type, and for an encrypted
  // setting ds::Error(unavailable) without a key or ds::Error(internal) when it fails to decrypt.
  std::optional<std::string> get_string(std::string_view key);
  std::optional<double> get_number(std::string_view key);
  std::optional<bool> get_bool(std::string_view key);
  std::optional<Secret> get_secret(std::string_view key);
  // Drops the cache (after writes by someone else: setup, rotate-key).
  void invalidate() noexcept;

  // --- secrets ---
  Revealed reveal(const SettingRow& row) const;
  // The stored form of `plaintext` for `key`. Throws ds::Error(unavailable) without a key.
  std::string seal(std::string_view key, std::string_view plaintext) const;
  // A key is available, encrypts and decrypts, and the stored secrets (when a database is
  // given) decrypt with it.
  bool encryption_working(db::Connection* db) const;

  // --- the API's operations (`db` is the request's connection) ---
  std::vector<SettingRow> list(db::Executor& db) const;
  std::optional<SettingRow> find(db::Executor& db, std::string_view key) const;
  // Keys containing `text`, case-insensitively; % and _ match literally.
  std::vector<SettingRow> search(db::Executor& db, std::string_view text) const;
  std::vector<SettingRow> in_group(db::Executor& db, std::string_view group_id) const;
  std::vector<GroupRow> groups(db::Executor& db) const;
  std::optional<GroupRow> group(db::Executor& db, std::string_view id) const;
  std::vector<std::string> categories(db::Executor& db) const;

  // nullopt: the key exists. Throws ds::Error(validation) for an unknown group_id,
  // ds::Error(unavailable) for an encrypted setting without a key.
  std::optional<SettingRow> create(db::Connection& db, const NewSetting& setting);
  // nullopt: no such key. Same errors as create(); a value check against the stored type
  // is the caller's (it reads the row first). Decrypting (encrypted:false) can throw
  // ds::Error(unavailable / internal).
  std::optional<SettingRow> update(db::Connection& db, std::string_view key, const SettingChange& change);
  bool remove(db::Connection& db, std::string_view key);

 private:
  struct Cached {
    SettingType type;
    bool encrypted;
    std::string stored;
  };
  // The cached row of `key`: loads every setting once per database handle.
  std::optional<Cached> cached(std::string_view key);
  void check_group(db::Executor& db, const std::optional<std::string>& group_id) const;

  const Registry& registry_;
  KeyManager& keys_;
  ConnectionSource live_database_;

  std::mutex cache_mutex_;
  std::weak_ptr<db::Connection> cache_owner_;
  bool cache_loaded_ = false;
  std::unordered_map<std::string, Cached> cache_;
};

// The messages of the two secret failures, shared by the getters and the API.
inline constexpr std::string_view kKeyUnavailable = "Encrypted settings unavailable";
inline constexpr std::string_view kKeyUnavailableHint =
    "Set DEPLOYSTACK_ENCRYPTION_SECRET or restore persistent_data/encryption.key";
inline constexpr std::string_view kDecryptFailed = "Setting could not be decrypted";

}  // namespace ds::settings
