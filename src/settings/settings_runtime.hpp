#pragma once
// The settings feature as the binary wires it: the registry (checked once), the encryption
// key (derived once, here, never per request or per setup), the service, and its init stage.
#include <atomic>

#include "core/config.hpp"
#include "settings/init_stage.hpp"
#include "settings/key_management.hpp"
#include "settings/registry.hpp"
#include "settings/settings_service.hpp"
#include "setup/database_manager.hpp"

namespace ds::settings {

class SettingsRuntime {
 public:
  // Throws ds::Error for a duplicate definition or an unreadable key file. `holds_data_lock`:
  // the process holds the data folder lock, so an interrupted key rotation may be resolved.
  explicit SettingsRuntime(const Config& config, Registry registry = Registry::builtin(),
                           bool holds_data_lock = false);
  SettingsRuntime(const SettingsRuntime&) = delete;
  SettingsRuntime& operator=(const SettingsRuntime&) = delete;

  // The database the typed getters read: the manager's live one (call once it exists).
  void attach(const setup::DatabaseManager& manager) noexcept { manager_ = &manager; }

  SettingsService& service() noexcept { return service_; }
  setup::InitStage stage() { return settings_stage(service_); }

 private:
  Registry registry_;
  KeyManager keys_;
  std::atomic<const setup::DatabaseManager*> manager_{nullptr};
  SettingsService service_;
};

}  // namespace ds::settings
