#pragma once
// What the core and each plugin claim (plugin ids, tables, setting keys and groups), checked
// once at start: a clash stops start-up with a message naming both owners.
#include <span>
#include <string>
#include <vector>

#include "db/schema/model.hpp"
#include "plugins/plugin.hpp"

namespace ds::plugins {

struct Claims {
  std::string owner;  // for messages: "core", "plugin 'example' (plugins/example/libexample.so)"
  std::string plugin_id;  // empty for the core
  std::vector<std::string> tables;
  std::vector<std::string> setting_keys;
  std::vector<std::string> setting_groups;
};

// The claims of one plugin, checking its own rules on the way: an id matching
// ^[a-z][a-z0-9_]{0,31}$, every table named "<id>_...", foreign keys pointing only at core
// tables or the plugin's own. Throws ds::Error(validation) naming `owner`.
Claims plugin_claims(const Metadata& meta, const std::string& owner, const DatabaseExtension& db,
                     const SettingsExtension& settings, std::span<const std::string> core_tables);

// Throws ds::Error(validation) for the first id, table, setting key or group claimed twice,
// naming both owners; the core is listed first, so it is always named as the first owner.
void check_claims(std::span<const Claims> claims);

bool is_valid_plugin_id(std::string_view id) noexcept;

}  // namespace ds::plugins
