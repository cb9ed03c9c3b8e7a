#pragma once
// The live database for a route that needs one, or the 503 of ../shared/spec/api.md.
#include <memory>

#include "db/connection.hpp"
#include "setup/database_manager.hpp"

namespace ds::http {

// Throws HttpError(503 {"error":"Database not initialized. ...","details":"..."}) when no
// database is initialized. Keep the returned pointer for the whole request.
std::shared_ptr<db::Connection> require_database(const setup::DatabaseManager& manager);

}  // namespace ds::http
