#include "server/require_database.hpp"

#include "http/errors.hpp"

namespace ds::http {

std::shared_ptr<db::Connection> require_database(const setup::DatabaseManager& manager) {
  auto db = manager.database();
  if (!db) {
    const auto status = manager.status();
    const char* body =
        status.configured
            ? R"({"error":"Database not initialized. Complete setup via POST /api/db/setup.","details":"The configured database could not be opened or initialized; check GET /api/db/status and the server log."})"
            : R"({"error":"Database not initialized. Complete setup via POST /api/db/setup.","details":"No database has been set up yet."})";
    throw HttpError(Response::json(503, body));
  }
  return db;
}

}  // namespace ds::http
