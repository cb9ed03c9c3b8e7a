#pragma once
// What a settings module declares in code: a group and its typed settings. Definitions are
// constant data with static storage (string literals), so they are views, never copies.
#include <optional>
#include <span>
#include <string_view>

namespace ds::settings {

enum class SettingType { string, number, boolean };

std::string_view to_string(SettingType type) noexcept;
// "string" | "number" | "boolean"; nullopt for anything else.
std::optional<SettingType> parse_setting_type(std::string_view text) noexcept;

struct SettingDefinition {
  std::string_view key{};          // globally unique, e.g. "smtp.host"
  std::string_view name{};         // shown to people, e.g. "SMTP Host"
  SettingType type = SettingType::string;
  std::string_view default_value{};  // stored text form: "", "587", "true"
  std::string_view description{};
  bool encrypted = false;          // stored as ciphertext, masked in every response
  bool required = false;           // the feature needs a non-empty value to work
};

struct GroupDefinition {
  std::string_view id{};
  std::string_view name{};
  std::string_view description{};
  std::string_view icon{};
  int sort_order = 0;
};

// One settings module: one file in src/settings/modules/ (or a plugin's settings extension).
struct Module {
  GroupDefinition group{};
  std::span<const SettingDefinition> settings{};
  std::string_view source{};  // where it is declared, for start-up errors: pass __FILE__
};

}  // namespace ds::settings
