#pragma once
#include "http/router.hpp"
#include "setup/database_manager.hpp"

namespace ds::http {

// /api/projects: list, create, get, patch, delete (../shared/spec/api.md), on the typed API.
void add_projects_routes(Router& router, const setup::DatabaseManager& manager);

}  // namespace ds::http
