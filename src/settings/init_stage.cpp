#include "settings/init_stage.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "db/query.hpp"
#include "db/schema.sqlite.hpp"
#include "settings/setting_value.hpp"
#include "settings/statement_recorder.hpp"

namespace ds::settings {
namespace {

using db::core::global_setting_groups;
using db::core::global_settings;
using db::query::Db;

// Every statement below binds at most 9 values (one row), far under SQLite's limit of 32766
// bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32), however many
// settings the modules declare; the batch as a whole has no such limit.
constexpr std::size_t kMaxParamsPerStatement = 9;

std::shared_ptr<const Cipher> key_for_setup(db::Connection& db, KeyManager& keys, bool& created) {
  if (auto cipher = keys.cipher()) return cipher;
  // A new key cannot read ciphertexts made under a lost one: only a database without secrets
  // gets a generated key file.
  const auto any_secret = Db(db)
                              .select(global_settings.key)
                              .from(global_settings)
                              .where(global_settings.is_encrypted == true)
                              .limit(1)
                              .first();
  if (any_secret) {
    spdlog::error("settings: encrypted settings exist but no key is available; {}. Secrets stay "
                  "unreadable until then",
                  kKeyUnavailableHint);
    return nullptr;
  }
  created = true;
  return keys.create_key_file();
}

}  // namespace

InitReport initialize_settings(db::Connection& db, SettingsService& service) {
  InitReport report;
  const auto cipher = key_for_setup(db, service.keys(), report.key_file_created);
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());

  // One batch: the current rows (read before the inserts), then one insert per missing
  // group and setting. `ON CONFLICT DO NOTHING RETURNING` answers a row only when created.
  StatementRecorder rec;
  Db q(rec);
  q.select(global_settings).order_by(global_settings.key).all();
  std::vector<const GroupDefinition*> group_of_step;
  std::vector<const SettingDefinition*> setting_of_step;
  for (const Module* m : service.registry().modules()) {
    const auto& g = m->group;
    q.insert(global_setting_groups)
        .values({.id = std::string(g.id),
                 .name = std::string(g.name),
                 .description = std::string(g.description),
                 .icon = std::string(g.icon),
                 .sort_order = std::int64_t{g.sort_order},
                 .created_at = now,
                 .updated_at = now})
        .on_conflict_do_nothing()
        .returning()
        .all();
    group_of_step.push_back(&g);
    setting_of_step.push_back(nullptr);
  }
  for (const Module* m : service.registry().modules()) {
    for (const auto& s : m->settings) {
      if (s.encrypted && !cipher) {
        report.skipped_secrets.emplace_back(s.key);
        continue;
      }
      q.insert(global_settings)
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
          .all();
      group_of_step.push_back(nullptr);
      setting_of_step.push_back(&s);
    }
  }
  auto statements = rec.take();
  for (const auto& st : statements) {
    if (st.params.size() > kMaxParamsPerStatement) {
      throw Error(Errc::misuse, "settings: a statement binds more values than planned");
    }
  }
  auto results = db.batch(statements);

  for (std::size_t i = 1; i < results.size(); ++i) {
    if (results[i].row_count() == 0) continue;
    if (const auto* g = group_of_step[i - 1]) report.created_groups.emplace_back(g->id);
    if (const auto* s = setting_of_step[i - 1]) report.created_settings.emplace_back(s->key);
  }

  // Reconcile rows that existed before with their current definition (rare: a second batch).
  auto existing = db::query::decode_rows<db::core::GlobalSettings>(results[0]);
  // A secret that could not be created is only worth reporting when it is missing.
  std::erase_if(report.skipped_secrets, [&](const std::string& key) {
    return std::any_of(existing.begin(), existing.end(), [&](const auto& row) { return row.key == key; });
  });
  StatementRecorder fixes;
  for (auto& row : existing) {
    const SettingDefinition* def = service.registry().find(row.key);
    if (def == nullptr) continue;  // created through the API: not ours to change
    db::dsl::Patch<db::core::GlobalSettings> patch;
    bool changed = false;
    if (def->encrypted && !row.is_encrypted) {
      if (!cipher) {
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
      if (!row.is_encrypted) plain = row.value;
      else if (cipher) plain = cipher->decrypt(row.value, row.key);
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
    Db(fixes).update(global_settings).set(std::move(patch)).where(global_settings.key == row.key).run();
    report.reconciled_settings.push_back(row.key);
  }
  if (!fixes.statements().empty()) db.batch(fixes.take());

  service.invalidate();
  spdlog::info("settings: created groups=[{}] settings=[{}] reconciled=[{}]",
               fmt::join(report.created_groups, ","), fmt::join(report.created_settings, ","),
               fmt::join(report.reconciled_settings, ","));
  if (!report.skipped_secrets.empty()) {
    spdlog::warn("settings: not created without a key: [{}]", fmt::join(report.skipped_secrets, ","));
  }
  return report;
}

setup::InitStage settings_stage(SettingsService& service) {
  return {"settings", [&service](db::Connection& db) { initialize_settings(db, service); }, true};
}

}  // namespace ds::settings
