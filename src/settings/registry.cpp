#include "settings/registry.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "settings/modules/modules.hpp"
#include "settings/setting_value.hpp"

namespace ds::settings {
namespace {

// "…/src/settings/modules/smtp.cpp" -> "src/settings/modules/smtp.cpp": short and stable.
std::string_view short_source(std::string_view source) {
  const auto at = source.rfind("src/");
  return at == std::string_view::npos ? source : source.substr(at);
}

[[noreturn]] void duplicate(std::string_view what, std::string_view name, const Module& first,
                            const Module& second) {
  throw Error(Errc::validation,
              fmt::format("duplicate settings {} '{}': declared in {} and in {}", what, name,
                          short_source(first.source), short_source(second.source)));
}

}  // namespace

bool is_valid_key(std::string_view key) noexcept {
  if (key.empty() || key.size() > 255) return false;
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Registry Registry::build(std::span<const Module* const> modules) {
  Registry r;
  r.modules_.assign(modules.begin(), modules.end());
  std::unordered_map<std::string_view, const Module*> groups;
  for (const Module* m : modules) {
    if (auto [it, fresh] = groups.emplace(m->group.id, m); !fresh) {
      duplicate("group", m->group.id, *it->second, *m);
    }
    for (const auto& s : m->settings) {
      if (!is_valid_key(s.key)) {
        throw Error(Errc::validation, fmt::format("settings key '{}' in {} is not a valid key "
                                                  "(^[a-zA-Z0-9._-]{{1,255}}$)",
                                                  s.key, short_source(m->source)));
      }
      if (!is_valid_text(s.type, s.default_value)) {
        throw Error(Errc::validation,
                    fmt::format("default of setting '{}' in {} is not a {}", s.key,
                                short_source(m->source), to_string(s.type)));
      }
      if (auto [it, fresh] = r.by_key_.emplace(s.key, Entry{&s, m}); !fresh) {
        duplicate("key", s.key, *it->second.module, *m);
      }
    }
  }
  return r;
}

Registry Registry::builtin() {
  return build(modules::all_modules());
}

const SettingDefinition* Registry::find(std::string_view key) const noexcept {
  const auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : it->second.setting;
}

const GroupDefinition* Registry::find_group(std::string_view id) const noexcept {
  for (const Module* m : modules_) {
    if (m->group.id == id) return &m->group;
  }
  return nullptr;
}

const GroupDefinition* Registry::group_of(std::string_view key) const noexcept {
  const auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &it->second.module->group;
}

}  // namespace ds::settings
