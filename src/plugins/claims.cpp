#include "plugins/claims.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "core/error.hpp"

namespace ds::plugins {

bool is_valid_plugin_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 32 || id.front() < 'a' || id.front() > 'z') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Claims plugin_claims(const Metadata& meta, const std::string& owner, const DatabaseExtension& db,
                     const SettingsExtension& settings, std::span<const std::string> core_tables) {
  if (!is_valid_plugin_id(meta.id)) {
    throw Error(Errc::validation,
                fmt::format("{}: id '{}' must match ^[a-z][a-z0-9_]{{0,31}}$", owner, meta.id));
  }
  Claims claims{owner, meta.id, {}, {}, {}};
  const std::string prefix = meta.id + "_";
  for (const auto& table : db.tables) {
    if (!table.name.starts_with(prefix) || table.name.size() == prefix.size()) {
      throw Error(Errc::validation, fmt::format("{}: table '{}' must be named '{}<table>'", owner,
                                                table.name, prefix));
    }
    claims.tables.push_back(table.name);
  }
  for (const auto& table : db.tables) {
    for (const auto& fk : table.foreign_keys) {
      const bool own = std::find(claims.tables.begin(), claims.tables.end(), fk.table_to) !=
                       claims.tables.end();
      const bool core =
          std::find(core_tables.begin(), core_tables.end(), fk.table_to) != core_tables.end();
      if (!own && !core) {
        throw Error(Errc::validation,
                    fmt::format("{}: foreign key of table '{}' points at '{}', which is neither a "
                                "core table nor one of the plugin's own",
                                owner, table.name, fk.table_to));
      }
    }
  }
  for (const auto& module : settings.modules) {
    claims.setting_groups.emplace_back(module.group.id);
    for (const auto& s : module.settings) claims.setting_keys.emplace_back(s.key);
  }
  return claims;
}

namespace {

void check_unique(std::span<const Claims> claims, std::string_view what,
                  const std::vector<std::string> Claims::*field) {
  std::unordered_map<std::string_view, const Claims*> owner_of;
  for (const auto& c : claims) {
    for (const auto& name : c.*field) {
      auto [it, inserted] = owner_of.emplace(name, &c);
      if (!inserted) {
        throw Error(Errc::validation, fmt::format("{} '{}' is claimed by {} and by {}", what, name,
                                                  it->second->owner, c.owner));
      }
    }
  }
}

}  // namespace

void check_claims(std::span<const Claims> claims) {
  std::unordered_map<std::string_view, const Claims*> by_id;
  for (const auto& c : claims) {
    if (c.plugin_id.empty()) continue;
    auto [it, inserted] = by_id.emplace(c.plugin_id, &c);
    if (!inserted) {
      throw Error(Errc::validation, fmt::format("plugin id '{}' is used by {} and by {}",
                                                c.plugin_id, it->second->owner, c.owner));
    }
  }
  check_unique(claims, "table", &Claims::tables);
  check_unique(claims, "setting key", &Claims::setting_keys);
  check_unique(claims, "settings group", &Claims::setting_groups);
}

}  // namespace ds::plugins
