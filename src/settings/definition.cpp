#include "settings/definition.hpp"

namespace ds::settings {

std::string_view to_string(SettingType type) noexcept {
  switch (type) {
    case SettingType::string: return "string";
    case SettingType::number: return "number";
    case SettingType::boolean: return "boolean";
  }
  return "string";
}

std::optional<SettingType> parse_setting_type(std::string_view text) noexcept {
  if (text == "string") return SettingType::string;
  if (text == "number") return SettingType::number;
  if (text == "boolean") return SettingType::boolean;
  return std::nullopt;
}

}  // namespace ds::settings
