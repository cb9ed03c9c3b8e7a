#pragma once
// POST /api/db/backup (../shared/spec/api.md, "Operations"): a verified copy of the live
// database under persistent_data/backups/, behind DEPLOYSTACK_ADMIN_TOKEN like the settings API.
#include "core/config.hpp"
#include "http/router.hpp"
#include "settings/key_management.hpp"
#include "setup/database_manager.hpp"

namespace ds::http {

void add_backup_routes(Router& router, const setup::DatabaseManager& manager,
                       const settings::KeyManager& keys, const Config& config);

}  // namespace ds::http
