#include "settings/settings_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "core/time.hpp"
#include "db/query.hpp"
#include "settings/setting_value.hpp"

namespace ds::settings {
namespace {

using db::core::global_setting_groups;
using db::core::global_settings;
using db::query::Queries;

SettingType type_of(const SettingRow& row) {
  return parse_setting_type(row.type).value_or(SettingType::string);
}

}  // namespace

SettingsService::SettingsService(const Registry& registry, KeyManager& keys,
                                 ConnectionSource live_database)
    : registry_(registry), keys_(keys), live_database_(std::move(live_database)) {}

// ---------------------------------------------------------------- secrets

Revealed SettingsService::reveal(const SettingRow& row) const {
  if (!row.is_encrypted) return {SecretState::ok, row.value};
  const auto cipher = keys_.cipher();
  if (!cipher) return {SecretState::key_unavailable, {}};
  auto plain = cipher->decrypt(row.value, row.key);
  if (!plain) {
    spdlog::warn("setting key={} could not be decrypted (wrong key, tampered, or moved)", row.key);
    return {SecretState::decrypt_failed, {}};
  }
  return {SecretState::ok, std::move(*plain)};
}

std::string SettingsService::seal(std::string_view key, std::string_view plaintext) const {
  const auto cipher = keys_.cipher();
  if (!cipher) {
    throw Error(Errc::unavailable, fmt::format("{}: {}", kKeyUnavailable, keys_.unavailable_details()));
  }
  return cipher->encrypt(plaintext, key);
}

bool SettingsService::encryption_working(db::Connection* db) const {
  const auto cipher = keys_.cipher();
  if (!cipher) return false;
  constexpr std::string_view kProbe = "deploystack health probe";
  if (cipher->decrypt(cipher->encrypt(kProbe, "health"), "health") != kProbe) return false;
  if (db == nullptr) return true;
  // The stored secrets are what matters: one that fails means the key is not theirs.
  const auto row = Queries(*db)
                       .select(global_settings)
                       .where(global_settings.is_encrypted == true)
                       .limit(1)
                       .first();
  return !row || cipher->decrypt(row->value, row->key).has_value();
}

// ---------------------------------------------------------------- typed getters

void SettingsService::invalidate() noexcept {
  std::lock_guard lock(cache_mutex_);
  cache_loaded_ = false;
  cache_.clear();
}

std::optional<SettingsService::Cached> SettingsService::cached(std::string_view key) {
  auto live = live_database_ ? live_database_() : nullptr;
  if (!live) return std::nullopt;
  std::lock_guard lock(cache_mutex_);
  if (!cache_loaded_ || cache_owner_.lock() != live) {
    cache_.clear();
    for (auto& row : Queries(*live).select(global_settings).all()) {
      cache_.emplace(std::move(row.key), Cached{type_of(row), row.is_encrypted, std::move(row.value)});
    }
    cache_owner_ = live;
    cache_loaded_ = true;
  }
  const auto it = cache_.find(std::string(key));
  if (it == cache_.end()) return std::nullopt;
  return it->second;
}

namespace {

std::string plaintext_of(const KeyManager& keys, std::string_view key, bool encrypted,
                         std::string stored) {
  if (!encrypted) return stored;
  const auto cipher = keys.cipher();
  if (!cipher) {
    throw Error(Errc::unavailable,
                fmt::format("setting '{}': {}. {}", key, kKeyUnavailable, keys.unavailable_details()));
  }
  auto plain = cipher->decrypt(stored, key);
  if (!plain) throw Error(Errc::internal, fmt::format("{}: {}", kDecryptFailed, key));
  return std::move(*plain);
}

void expect_type(std::string_view key, SettingType actual, SettingType wanted) {
  if (actual != wanted) {
    throw Error(Errc::validation, fmt::format("setting '{}' is a {}, not a {}", key,
                                              to_string(actual), to_string(wanted)));
  }
}

}  // namespace

std::optional<std::string> SettingsService::get_string(std::string_view key) {
  auto c = cached(key);
  if (!c) return std::nullopt;
  expect_type(key, c->type, SettingType::string);
  return plaintext_of(keys_, key, c->encrypted, std::move(c->stored));
}

std::optional<double> SettingsService::get_number(std::string_view key) {
  auto c = cached(key);
  if (!c) return std::nullopt;
  expect_type(key, c->type, SettingType::number);
  return parse_number(plaintext_of(keys_, key, c->encrypted, std::move(c->stored)));
}

std::optional<bool> SettingsService::get_bool(std::string_view key) {
  auto c = cached(key);
  if (!c) return std::nullopt;
  expect_type(key, c->type, SettingType::boolean);
  return parse_boolean(plaintext_of(keys_, key, c->encrypted, std::move(c->stored)));
}

std::optional<Secret> SettingsService::get_secret(std::string_view key) {
  auto c = cached(key);
  if (!c) return std::nullopt;
  return Secret(plaintext_of(keys_, key, c->encrypted, std::move(c->stored)));
}

// ---------------------------------------------------------------- API operations

std::vector<SettingRow> SettingsService::list(db::Executor& db) const {
  return Queries(db).select(global_settings).order_by(global_settings.key).all();
}

std::optional<SettingRow> SettingsService::find(db::Executor& db, std::string_view key) const {
  return Queries(db).select(global_settings).where(global_settings.key == key).first();
}

std::vector<SettingRow> SettingsService::search(db::Executor& db, std::string_view text) const {
  return Queries(db)
      .select(global_settings)
      .where(contains(global_settings.key, text))
      .order_by(global_settings.key)
      .all();
}

std::vector<SettingRow> SettingsService::in_group(db::Executor& db,
                                                  std::string_view group_id) const {
  return Queries(db)
      .select(global_settings)
      .where(global_settings.group_id == group_id)
      .order_by(global_settings.key)
      .all();
}

std::vector<GroupRow> SettingsService::groups(db::Executor& db) const {
  return Queries(db)
      .select(global_setting_groups)
      .order_by(global_setting_groups.sort_order, global_setting_groups.name)
      .all();
}

std::optional<GroupRow> SettingsService::group(db::Executor& db, std::string_view id) const {
  return Queries(db).select(global_setting_groups).where(global_setting_groups.id == id).first();
}

std::vector<std::string> SettingsService::categories(db::Executor& db) const {
  auto ids = Queries(db)
                 .select(global_settings.group_id)
                 .from(global_settings)
                 .where(is_not_null(global_settings.group_id))
                 .order_by(global_settings.group_id)
                 .all();
  std::vector<std::string> out;
  for (auto& id : ids) {
    if (id && (out.empty() || out.back() != *id)) out.push_back(std::move(*id));
  }
  return out;
}

void SettingsService::check_group(db::Executor& db,
                                  const std::optional<std::string>& group_id) const {
  if (group_id && !group(db, *group_id)) {
    throw Error(Errc::validation, fmt::format("group_id '{}' does not exist", *group_id));
  }
}

std::optional<SettingRow> SettingsService::create(db::Connection& db, const NewSetting& s) {
  check_group(db, s.group_id);
  const auto now = now_seconds();
  auto row = Queries(db)
                 .insert(global_settings)
                 .values({.key = s.key,
                          .name = s.name,
                          .value = s.encrypted ? seal(s.key, s.value) : s.value,
                          .type = std::string(to_string(s.type)),
                          .description = s.description,
                          .is_encrypted = s.encrypted,
                          .group_id = s.group_id,
                          .created_at = now,
                          .updated_at = now})
                 .on_conflict_do_nothing()
                 .returning()
                 .first();
  if (row) invalidate();
  return row;
}

std::optional<SettingRow> SettingsService::update(db::Connection& db, std::string_view key,
                                                  const SettingChange& change) {
  std::optional<SettingRow> result;
  db.transaction([&](db::Transaction& tx) {
    auto row = find(tx, key);
    if (!row) return;
    if (change.group_id) check_group(tx, *change.group_id);
    const bool encrypt = change.encrypted.value_or(row->is_encrypted);
    db::dsl::Patch<db::core::GlobalSettings> patch;
    if (change.value || encrypt != row->is_encrypted) {
      // The plaintext to store: the new value, or the current one when only the flag changes.
      std::string plain;
      if (change.value) {
        plain = *change.value;
      } else {
        plain = plaintext_of(keys_, key, row->is_encrypted, row->value);
      }
      patch.value = encrypt ? seal(key, plain) : plain;
      patch.is_encrypted = encrypt;
    }
    if (change.type) patch.type = std::string(to_string(*change.type));
    if (change.description) patch.description = *change.description;
    if (change.group_id) patch.group_id = *change.group_id;
    patch.updated_at = now_seconds();
    result = Queries(tx)
                 .update(global_settings)
                 .set(std::move(patch))
                 .where(global_settings.key == key)
                 .returning()
                 .first();
  });
  if (result) invalidate();
  return result;
}

bool SettingsService::remove(db::Connection& db, std::string_view key) {
  const bool removed = !Queries(db)
                            .delete_from(global_settings)
                            .where(global_settings.key == key)
                            .returning()
                            .all()
                            .empty();
  if (removed) invalidate();
  return removed;
}

}  // namespace ds::settings
