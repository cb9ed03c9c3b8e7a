#include "server/routes/operations_routes.hpp"

#include "core/metrics.hpp"
#include "core/process_metrics.hpp"
#include "db/database_metrics.hpp"
#include "server/require_admin.hpp"

namespace ds::http {
namespace {

constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

nlohmann::json status_schema(std::string_view status) {
  return {{"type", "object"},
          {"required", {"status"}},
          {"properties", {{"status", {{"const", status}}}}}};
}

}  // namespace

void add_operations_routes(Router& router, const setup::DatabaseManager& manager,
                           const Config& config) {
  router.add(Method::get, "/health",
             [](const Request&) { return Response::json(200, R"({"status":"ok"})"); },
             Execution::inline_,
             {.summary = "Liveness: the process serves HTTP (touches no database)",
              .responses = {{200, "Serving", status_schema("ok")}}});
  nlohmann::json not_ready = status_schema("not_ready");
  not_ready["required"].push_back("reason");
  not_ready["properties"]["reason"] = {{"type", "string"}};
  router.add(Method::get, "/ready",
             [&manager](const Request&) {
               const auto readiness = manager.readiness();
               return Response::json(readiness->ready ? 200 : 503, readiness->json);
             },
             Execution::inline_,
             {.summary = "Readiness: the database is initialized and its migrations are current",
              .responses = {{200, "Ready", status_schema("ready")},
                            {503, "Not ready, with a reason safe to show", not_ready}}});
  router.add(
      Method::get, "/metrics",
      [&manager, &config](const Request& request) {
        if (!config.metrics_public) require_admin(request, config, "Metrics");
        metrics::Writer out;
        metrics::Registry::process().write(out);
        if (const auto db = manager.database()) db::write_database_metrics(*db, out);
        metrics::write_process_metrics(out);
        return Response{200, out.text(), kPrometheusContentType, {}};
      },
      Execution::inline_,
      {.summary = "Prometheus metrics: requests, latency, database calls, WAL, Turso, process",
       .description = "Needs the admin token unless METRICS_PUBLIC=1 (then no 401/403).",
       .responses = {{200,
                      "The Prometheus text exposition format, version 0.0.4",
                      {{"type", "string"}},
                      std::string(kPrometheusContentType)}},
       .admin = true});
}

}  // namespace ds::http
