#include "settings/init_stage.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/time.hpp"
#include "db/fail_when.hpp"
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"
#include "settings/rotate_key.hpp"
#include "settings/setting_value.hpp"

namespace ds::settings {
namespace {

using db::core::global_setting_groups;
using db::core::global_settings;
using db::query::Db;

// Every statement below binds at most 9 values (one row), far under SQLite's limit of 32766
// bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32), however many
// settings the modules declare; the batch as a whole has no such limit.
constexpr std::size_t kMaxParamsPerStatement = 9;

// The stage's one batch: [guard,] the current settings, the current groups (both read before
// the inserts), then one insert per group and setting; `ON CONFLICT DO NOTHING RETURNING`
// answers a row only when it created one.
struct Plan {
  std::vector<db::Statement> statements;
  std::size_t reads = 0;                                // index of the settings read
  std::vector<const GroupDefinition*> group_of_insert;  // per insert, or null
  std::vector<const SettingDefinition*> setting_of_insert;
  std::vector<std::string> skipped_secrets;
};

// What the batch's guard (statement 0, when there is one) protects against: nothing can be
// written under a key that might not be the database's.
enum class KeyGuard {
  none,         // the key was checked against the stored secrets, or there is no key
  new_key,      // the key was created for this batch: fail when any secret exists already
  unchecked,    // the key is checked after the batch: fail when a secret this batch would
                // create is missing while other secrets exist (it would be written under an
                // unchecked key); the stage then checks first and plans again
};

// The SQL condition of the unchecked-key guard for the secrets `keys`. Setting keys are
// validated to ^[a-zA-Z0-9._-]+$ (registry.cpp), so they are safe as literals, and a literal
// list keeps the guard inside the per-statement parameter budget however many secrets exist.
std::string missing_secret_beside_secrets(const std::vector<std::string_view>& keys) {
  return fmt::format(
      "EXISTS (SELECT 1 FROM \"globalSettings\" WHERE \"is_encrypted\" = 1) AND (SELECT count(*) "
      "FROM \"globalSettings\" WHERE \"key\" IN ('{}')) < {}",
      fmt::join(keys, "','"), keys.size());
}

Plan plan_batch(Db q, const SettingsService& service, const Cipher* cipher, KeyGuard guard,
                std::chrono::sys_seconds now) {
  Plan plan;
  auto& out = plan.statements;
  if (guard == KeyGuard::new_key) {
    out.push_back(
        {db::fail_when("EXISTS (SELECT 1 FROM \"globalSettings\" WHERE \"is_encrypted\" = 1)"),
         {}});
  } else if (guard == KeyGuard::unchecked && cipher != nullptr) {
    std::vector<std::string_view> secrets;
    for (const Module* m : service.registry().modules()) {
      for (const auto& s : m->settings) {
        if (s.encrypted) secrets.push_back(s.key);
      }
    }
    if (!secrets.empty()) out.push_back({db::fail_when(missing_secret_beside_secrets(secrets)), {}});
  }
  plan.reads = out.size();
  out.push_back(q.select(global_settings).order_by(global_settings.key).statement());
  out.push_back(q.select(global_setting_groups).order_by(global_setting_groups.id).statement());
  for (const Module* m : service.registry().modules()) {
    const auto& g = m->group;
    out.push_back(q.insert(global_setting_groups)
                      .values({.id = std::string(g.id),
                               .name = std::string(g.name),
                               .description = std::string(g.description),
                               .icon = std::string(g.icon),
                               .sort_order = std::int64_t{g.sort_order},
                               .created_at = now,
                               .updated_at = now})
                      .on_conflict_do_nothing()
                      .returning()
                      .statement());
    plan.group_of_insert.push_back(&g);
    plan.setting_of_insert.push_back(nullptr);
  }
  for (const Module* m : service.registry().modules()) {
    for (const auto& s : m->settings) {
      if (s.encrypted && cipher == nullptr) {
        plan.skipped_secrets.emplace_back(s.key);
        continue;
      }
      out.push_back(q.insert(global_settings)
                        .values({.key = std::string(s.key),
                                 .name = std::string(s.name),
                                 .value = s.encrypted ? cipher->encrypt(s.default_value, s.key)
                                                      : std::string(s.default_value),
                                 .type = std::string(to_string(s.type)),
                                 .description = std::string(s.description),
                                 .is_encrypted = s.encrypted,
                                 .group_id = std::string(m->group.id),
                                 .created_at = now,
                                 .updated_at = now})
                        .on_conflict_do_nothing()
                        .returning()
                        .statement());
      plan.group_of_insert.push_back(nullptr);
      plan.setting_of_insert.push_back(&s);
    }
  }
  for (const auto& st : plan.statements) {
    if (st.params.size() > kMaxParamsPerStatement) {
      throw Error(Errc::misuse, "settings: a statement binds more values than planned");
    }
  }
  return plan;
}

// Updates for rows that existed before and whose definition changed since: group metadata,
// a setting's type, a setting newly marked encrypted. Appended to `fixes`.
void reconcile(Db q, const SettingsService& service, const Cipher* cipher,
               std::chrono::sys_seconds now,
               const std::vector<db::dsl::Row<db::core::GlobalSettings>>& settings,
               const std::vector<db::dsl::Row<db::core::GlobalSettingGroups>>& groups,
               std::vector<db::Statement>& fixes, InitReport& report) {
  for (const auto& row : groups) {
    const GroupDefinition* found = service.registry().find_group(row.id);
    if (found == nullptr) continue;  // not defined in code: not ours to change
    const auto& def = *found;
    if (row.name == def.name && row.description.value_or("") == def.description &&
        row.icon.value_or("") == def.icon && row.sort_order == def.sort_order) {
      continue;
    }
    db::dsl::Patch<db::core::GlobalSettingGroups> patch;
    patch.name = std::string(def.name);
    patch.description = std::optional<std::string>(def.description);
    patch.icon = std::optional<std::string>(def.icon);
    patch.sort_order = std::int64_t{def.sort_order};
    patch.updated_at = now;
    fixes.push_back(q.update(global_setting_groups)
                        .set(std::move(patch))
                        .where(global_setting_groups.id == row.id)
                        .statement());
    report.reconciled_groups.push_back(row.id);
  }
  for (const auto& row : settings) {
    const SettingDefinition* def = service.registry().find(row.key);
    if (def == nullptr) continue;  // created through the API: not ours to change
    db::dsl::Patch<db::core::GlobalSettings> patch;
    bool changed = false;
    if (def->encrypted && !row.is_encrypted) {
      if (cipher == nullptr) {
        spdlog::warn("settings: key={} should be encrypted but no key is available", row.key);
      } else {
        patch.value = cipher->encrypt(row.value, row.key);
        patch.is_encrypted = true;
        changed = true;
      }
    }
    if (row.type != to_string(def->type)) {
      // The stored value must still make sense; a secret's is checked when it can be read.
      std::optional<std::string> plain;
      if (!row.is_encrypted)
        plain = row.value;
      else if (cipher != nullptr)
        plain = cipher->decrypt(row.value, row.key);
      if (plain && is_valid_text(def->type, *plain)) {
        patch.type = std::string(to_string(def->type));
        changed = true;
      } else {
        spdlog::warn("settings: key={} is now a {} but its stored value is not; left as a {}",
                     row.key, to_string(def->type), row.type);
      }
    }
    if (!changed) continue;
    patch.updated_at = now;
    fixes.push_back(q.update(global_settings)
                        .set(std::move(patch))
                        .where(global_settings.key == row.key)
                        .statement());
    report.reconciled_settings.push_back(row.key);
  }
}

}  // namespace

InitReport initialize_settings(db::Connection& db, SettingsService& service) {
  InitReport report;
  const auto now = now_seconds();
  auto& keys = service.keys();
  // The configured key is checked against the stored secrets before anything is encrypted for
  // it (key_management.hpp), at no extra round trip in the common case: the batch reads every
  // setting anyway, so the secrets are checked from its answer, and its guard refuses to write
  // a secret before that check could have refused the key. The check comes first (one more
  // round trip) only when the guard fails, when an interrupted rotation is pending, and when
  // an earlier check refused the key.
  auto cipher = keys.cipher();
  const auto check_first = [&] {
    keys.verify(stored_secrets(db));
    cipher = keys.cipher();
  };
  bool checked = false;
  std::error_code ec;
  if (std::filesystem::exists(pending_key_file(keys.key_file()), ec) ||
      (!cipher && keys.source() != KeySource::none)) {
    check_first();
    checked = true;
  }
  // Without any key, one is created before the batch (a ciphertext never reaches the database
  // before its key is on disk); the batch's guard refuses it when secrets exist. A key that
  // does not match is never replaced: it may be the only copy of some other key.
  bool new_key = false;
  if (!cipher && keys.source() == KeySource::none) {
    cipher = keys.create_key_file();
    new_key = true;
  }
  const auto guard = new_key ? KeyGuard::new_key : checked ? KeyGuard::none : KeyGuard::unchecked;
  Plan plan = plan_batch(Db(db), service, cipher.get(), guard, now);
  std::vector<db::Result> results;
  try {
    results = db.batch(plan.statements);
    report.key_file_created = new_key;
  } catch (const db::BatchError& e) {
    if (guard == KeyGuard::none || e.statement_index() != 0) throw;
    if (new_key) {
      keys.discard_created_key();
      spdlog::error(
          "settings: encrypted settings exist but no key is available; {}. Secrets stay "
          "unreadable until then",
          kKeyUnavailableHint);
      cipher = nullptr;
    } else {
      check_first();
    }
    plan = plan_batch(Db(db), service, cipher.get(), KeyGuard::none, now);
    results = db.batch(plan.statements);
    checked = true;
  }
  auto settings = db::query::decode_rows<db::core::GlobalSettings>(results[plan.reads]);
  if (!checked) {
    std::vector<StoredSecret> secrets;
    for (const auto& row : settings) {
      if (row.is_encrypted) secrets.push_back({row.key, row.value});
    }
    keys.verify(secrets);
    cipher = keys.cipher();
  }

  for (std::size_t i = plan.reads + 2; i < results.size(); ++i) {
    if (results[i].row_count() == 0) continue;
    const std::size_t insert = i - plan.reads - 2;
    if (const auto* g = plan.group_of_insert[insert]) report.created_groups.emplace_back(g->id);
    if (const auto* s = plan.setting_of_insert[insert])
      report.created_settings.emplace_back(s->key);
  }
  auto groups = db::query::decode_rows<db::core::GlobalSettingGroups>(results[plan.reads + 1]);
  // A secret that could not be created is only worth reporting when it is missing.
  report.skipped_secrets = std::move(plan.skipped_secrets);
  std::erase_if(report.skipped_secrets, [&](const std::string& key) {
    return std::any_of(settings.begin(), settings.end(),
                       [&](const auto& row) { return row.key == key; });
  });

  // Rows whose definition changed (rare): a second batch.
  std::vector<db::Statement> fixes;
  reconcile(Db(db), service, cipher.get(), now, settings, groups, fixes, report);
  if (!fixes.empty()) db.batch(fixes);

  service.invalidate();
  spdlog::info("settings: created groups=[{}] settings=[{}] reconciled groups=[{}] settings=[{}]",
               fmt::join(report.created_groups, ","), fmt::join(report.created_settings, ","),
               fmt::join(report.reconciled_groups, ","),
               fmt::join(report.reconciled_settings, ","));
  if (!report.skipped_secrets.empty()) {
    spdlog::warn("settings: not created without a key: [{}]",
                 fmt::join(report.skipped_secrets, ","));
  }
  return report;
}

db::InitStage settings_stage(SettingsService& service) {
  return {"settings", [&service](db::Connection& db) { initialize_settings(db, service); }, true};
}

}  // namespace ds::settings
