#pragma once
#include "core/config.hpp"
#include "http/router.hpp"
#include "setup/database_manager.hpp"

namespace ds::http {

// GET /api/db/status and POST /api/db/setup.
void add_db_routes(Router& router, setup::DatabaseManager& manager, const Config& config);

}  // namespace ds::http
