#pragma once
// All setting definitions known to this process (built-in modules plus any a plugin adds),
// checked once at start: a duplicate group id or setting key is a start-up error naming both
// places that declare it.
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "settings/definition.hpp"

namespace ds::settings {

class Registry {
 public:
  // Throws ds::Error(validation) for a duplicate group or key, a default that does not match
  // its type, or a key outside ^[a-zA-Z0-9._-]{1,255}$.
  static Registry build(std::span<const Module* const> modules);
  // The built-in modules of src/settings/modules/.
  static Registry builtin();

  std::span<const Module* const> modules() const noexcept { return modules_; }
  // The definition of `key`, or null when no module declares it.
  const SettingDefinition* find(std::string_view key) const noexcept;
  // The group with id `id`, or null when no module declares it.
  const GroupDefinition* find_group(std::string_view id) const noexcept;
  // The group that declares `key`, or null.
  const GroupDefinition* group_of(std::string_view key) const noexcept;
  std::size_t setting_count() const noexcept { return by_key_.size(); }

 private:
  struct Entry {
    const SettingDefinition* setting;
    const Module* module;
  };
  std::vector<const Module*> modules_;
  std::unordered_map<std::string_view, Entry> by_key_;
};

// The wire rule for keys, as a regular expression for messages and the API's schema.
inline constexpr std::string_view kKeyPattern = "^[a-zA-Z0-9._-]{1,255}$";
// Whether `key` matches kKeyPattern.
bool is_valid_key(std::string_view key) noexcept;

}  // namespace ds::settings
