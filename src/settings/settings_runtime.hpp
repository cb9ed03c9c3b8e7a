#pragma once
// The settings feature as the binary wires it: the registry (checked once), the encryption
// key (derived once, here, never per request or per setup), the service, and its init stage.
#include <atomic>

#include "core/config.hpp"
#include "db/live_database.hpp"
#include "settings/init_stage.hpp"
#include "settings/key_management.hpp"
#include "settings/registry.hpp"
#include "settings/settings_service.hpp"

namespace ds::settings {

class SettingsRuntime {
 public:
  // Throws ds::Error for a duplicate definition or an unreadable key file. `holds_data_lock`:
  // the process holds the data folder lock, so an interrupted key rotation may be resolved.
  explicit SettingsRuntime(const Config& config, Registry registry = Registry::builtin(),
                           bool holds_data_lock = false);
  SettingsRuntime(const SettingsRuntime&) = delete;
  SettingsRuntime& operator=(const SettingsRuntime&) = delete;

  // The database the typed getters read: the live one (call once it exists).
  void attach(const db::LiveDatabase& live) noexcept { live_ = &live; }

  SettingsService& service() noexcept { return service_; }
  db::InitStage stage() { return settings_stage(service_); }

 private:
  Registry registry_;
  KeyManager keys_;
  std::atomic<const db::LiveDatabase*> live_{nullptr};
  SettingsService service_;
};

}  // namespace ds::settings
