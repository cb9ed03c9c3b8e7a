#include "server/routes/operations_routes.hpp"

namespace ds::http {

void add_operations_routes(Router& router, const setup::DatabaseManager& manager) {
  router.add(
      Method::get, "/health",
      [](const Request&) { return Response::json(200, R"({"status":"ok"})"); }, Execution::inline_);
  router.add(
      Method::get, "/ready",
      [&manager](const Request&) {
        const auto readiness = manager.readiness();
        return Response::json(readiness->ready ? 200 : 503, readiness->json);
      },
      Execution::inline_);
}

}  // namespace ds::http
