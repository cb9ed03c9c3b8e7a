#include "server/routes/operations_routes.hpp"

#include "core/metrics.hpp"
#include "core/process_metrics.hpp"
#include "db/database_metrics.hpp"
#include "server/require_admin.hpp"

namespace ds::http {

void add_operations_routes(Router& router, const setup::DatabaseManager& manager,
                           const Config& config) {
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
  router.add(
      Method::get, "/metrics",
      [&manager, &config](const Request& request) {
        if (!config.metrics_public) require_admin(request, config, "Metrics");
        metrics::Writer out;
        metrics::Registry::process().write(out);
        if (const auto db = manager.database()) db::write_database_metrics(*db, out);
        metrics::write_process_metrics(out);
        return Response{200, out.text(), "text/plain; version=0.0.4; charset=utf-8", {}};
      },
      Execution::inline_);
}

}  // namespace ds::http
