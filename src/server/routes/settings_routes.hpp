#pragma once
#include "core/config.hpp"
#include "http/router.hpp"
#include "settings/settings_service.hpp"
#include "setup/database_manager.hpp"

namespace ds::http {

// The /api/settings routes of ../shared/spec/api.md ("Global settings"), behind
// DEPLOYSTACK_ADMIN_TOKEN (403 when the server has none, 401 without it).
void add_settings_routes(Router& router, const setup::DatabaseManager& manager,
                         settings::SettingsService& service, const Config& config);

}  // namespace ds::http
