#include "settings/settings_runtime.hpp"

namespace ds::settings {

SettingsRuntime::SettingsRuntime(const Config& config, Registry registry, bool holds_data_lock)
    : registry_(std::move(registry)),
      keys_(config.encryption_secret, config.data_dir / "encryption.key", holds_data_lock),
      service_(registry_, keys_, [this]() -> std::shared_ptr<db::Connection> {
        const auto* live = live_.load();
        return live ? live->database() : nullptr;
      }) {}

}  // namespace ds::settings
