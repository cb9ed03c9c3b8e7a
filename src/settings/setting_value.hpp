#pragma once
// A setting's value is stored as text and sent typed: "587" is the JSON number 587 for a
// `number` setting, "true" the JSON boolean for a `boolean` one.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "settings/definition.hpp"

namespace ds::settings {

// Whether `text` is a stored value of `type`: any text for string, a finite decimal number
// for number, exactly "true" or "false" for boolean.
bool is_valid_text(SettingType type, std::string_view text) noexcept;

// The stored text for a JSON value, or nullopt when the JSON type does not match `type`
// (a string for string, a number for number, a boolean for boolean).
std::optional<std::string> text_from_json(SettingType type, const nlohmann::json& value);

// The typed JSON value of stored text. Text that is not valid for `type` (a row edited by
// hand) is sent as the JSON string it is, rather than failing the whole response.
nlohmann::json json_from_text(SettingType type, std::string_view text);

std::optional<double> parse_number(std::string_view text) noexcept;
std::optional<bool> parse_boolean(std::string_view text) noexcept;

}  // namespace ds::settings
