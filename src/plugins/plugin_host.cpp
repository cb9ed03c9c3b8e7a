#include "plugins/plugin_host.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "db/core_schema.hpp"
#include "settings/modules/modules.hpp"

namespace ds::plugins {

std::filesystem::path LoadedPlugin::migrations_folder() const {
  return database.migrations.is_absolute() ? database.migrations : folder / database.migrations;
}

Claims core_claims() {
  Claims core{"core", {}, {}, {}, {}};
  for (const auto& t : db::core_schema().tables) core.tables.push_back(t.name);
  for (const auto* module : settings::modules::all_modules()) {
    core.setting_groups.emplace_back(module->group.id);
    for (const auto& s : module->settings) core.setting_keys.emplace_back(s.key);
  }
  return core;
}

settings::Registry settings_registry(const PluginHost& host) {
  const auto core = settings::modules::all_modules();
  std::vector<const settings::Module*> modules(core.begin(), core.end());
  for (const auto* m : host.settings_modules()) modules.push_back(m);
  return settings::Registry::build(modules);
}

PluginHost::PluginHost(HostOptions options, const std::vector<PluginFactory>& builtins, Claims core) {
  for (const auto& factory : builtins) add(factory(), "built-in", std::filesystem::current_path());

  for (const auto& library : find_plugin_libraries(options.plugins_path, options.strict)) {
    try {
      add(load_shared_library(library), library.string(), library.parent_path());
    } catch (const Error& e) {
      if (options.strict) throw;
      spdlog::error("{}; starting without it (PLUGINS_STRICT=0)", e.what());
    }
  }

  std::vector<Claims> claims;
  claims.push_back(std::move(core));
  for (const auto& p : plugins_) {
    std::vector<std::string> core_tables = claims.front().tables;
    claims.push_back(plugin_claims(p->meta, p->owner, p->database, p->settings, core_tables));
  }
  check_claims(claims);

  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < plugins_.size(); ++i) {
    const auto& p = *plugins_[i];
    list.push_back({{"id", p.meta.id},
                    {"name", p.meta.name},
                    {"version", p.meta.version},
                    {"tables", claims[i + 1].tables},
                    {"settings", claims[i + 1].setting_keys}});
    spdlog::info("{} version={} loaded", p.owner, p.meta.version);
  }
  list_json_ = list.dump();
}

PluginHost::~PluginHost() { shutdown(); }

void PluginHost::add(PluginPtr instance, std::string origin, std::filesystem::path folder) {
  auto p = std::make_unique<LoadedPlugin>();
  try {
    p->meta = instance->metadata();
    p->owner = fmt::format("plugin '{}' ({})", p->meta.id, origin);
    p->database = instance->database_extension();
    p->settings = instance->global_settings_extension();
  } catch (const std::exception& e) {
    throw Error(Errc::validation, fmt::format("plugin {} refused: describing itself threw: {}", origin, e.what()));
  }
  p->folder = std::move(folder);
  for (auto& module : p->settings.modules) module.source = p->owner;
  p->instance = std::move(instance);
  plugins_.push_back(std::move(p));
}

const LoadedPlugin* PluginHost::find(std::string_view id) const noexcept {
  for (const auto& p : plugins_) {
    if (p->meta.id == id) return p.get();
  }
  return nullptr;
}

std::vector<const settings::Module*> PluginHost::settings_modules() const {
  std::vector<const settings::Module*> out;
  for (const auto& p : plugins_) {
    for (const auto& m : p->settings.modules) out.push_back(&m);
  }
  return out;
}

void PluginHost::initialize_database(db::Connection& db, const PluginMigrator& migrate) const {
  std::vector<std::string> failed;
  for (const auto& p : plugins_) {
    try {
      if (!p->database.tables.empty() || std::filesystem::exists(p->migrations_folder())) {
        migrate(db, *p);
      }
      if (p->database.on_database_init) {
        db.transaction([&](db::Transaction& tx) { p->database.on_database_init(tx); });
      }
      p->database_ready->store(true, std::memory_order_release);
    } catch (const std::exception& e) {
      p->database_ready->store(false, std::memory_order_release);
      spdlog::error("plugin={} database initialization failed, the plugin stays unavailable: {}",
                    p->meta.id, e.what());
      failed.push_back(p->meta.id);
    }
  }
  if (!failed.empty()) {
    throw Error(Errc::internal,
                fmt::format("database initialization failed for plugin(s): {}", fmt::join(failed, ", ")));
  }
}

void PluginHost::register_routes(http::Router& router, const DatabaseAccess::Provider& database) {
  for (const auto& p : plugins_) {
    Routes routes(router, "/api/plugin/" + p->meta.id,
                  DatabaseAccess(p->meta.id, database, p->database_ready));
    try {
      p->instance->register_routes(routes);
    } catch (const std::exception& e) {
      throw Error(Errc::validation, fmt::format("{}: register_routes threw: {}", p->owner, e.what()));
    }
  }
}

void PluginHost::shutdown() noexcept {
  if (shut_down_) return;
  shut_down_ = true;
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) (*it)->instance->shutdown();
}

}  // namespace ds::plugins
