#pragma once
#include "core/config.hpp"
#include "http/router.hpp"
#include "setup/database_manager.hpp"

namespace ds::http {

// What a load balancer, Kubernetes or Prometheus asks (shared/spec/api.md, "Operations"):
//   GET /health   200 {"status":"ok"} whenever the process serves HTTP; touches no database
//   GET /ready    200 {"status":"ready"} once the database is initialized (its migrations
//                 applied), else 503 {"status":"not_ready","reason":"..."}
//   GET /metrics  the Prometheus text format; the admin token unless METRICS_PUBLIC=1
// /health and /ready answer from memory on the I/O thread, so a probe never waits behind the
// database; /metrics reads /proc and the database's statistics, never the database itself.
void add_operations_routes(Router& router, const setup::DatabaseManager& manager,
                           const Config& config);

}  // namespace ds::http
