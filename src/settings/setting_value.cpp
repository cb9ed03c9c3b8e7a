#include "settings/setting_value.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace ds::settings {

std::optional<double> parse_number(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<bool> parse_boolean(std::string_view text) noexcept {
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

bool is_valid_text(SettingType type, std::string_view text) noexcept {
  switch (type) {
    case SettingType::string: return true;
    case SettingType::number: return parse_number(text).has_value();
    case SettingType::boolean: return parse_boolean(text).has_value();
  }
  return false;
}

std::optional<std::string> text_from_json(SettingType type, const nlohmann::json& value) {
  switch (type) {
    case SettingType::string:
      if (value.is_string()) return value.get<std::string>();
      return std::nullopt;
    case SettingType::boolean:
      if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
      return std::nullopt;
    case SettingType::number:
      if (value.is_number_integer()) {
        return value.is_number_unsigned() ? std::to_string(value.get<std::uint64_t>())
                                          : std::to_string(value.get<std::int64_t>());
      }
      if (value.is_number_float() && std::isfinite(value.get<double>())) {
        return fmt::format("{}", value.get<double>());  // shortest text that reads back exactly
      }
      return std::nullopt;
  }
  return std::nullopt;
}

nlohmann::json json_from_text(SettingType type, std::string_view text) {
  switch (type) {
    case SettingType::string: break;
    case SettingType::boolean:
      if (auto b = parse_boolean(text)) return *b;
      break;
    case SettingType::number: {
      std::int64_t i = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      if (ec == std::errc{} && ptr == text.data() + text.size() && !text.empty()) return i;
      if (auto d = parse_number(text)) return *d;
      break;
    }
  }
  return std::string(text);
}

}  // namespace ds::settings
