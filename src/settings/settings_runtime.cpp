#include "settings/settings_runtime.hpp"

namespace ds::settings {

SettingsRuntime::SettingsRuntime(const Config& config, Registry registry)
    : registry_(std::move(registry)),
      keys_(config.encryption_secret, config.data_dir / "encryption.key"),
      service_(registry_, keys_, [this]() -> std::shared_ptr<db::Connection> {
        const auto* m = manager_.load();
        return m ? m->database() : nullptr;
      }) {}

}  // namespace ds::settings
