#pragma once
#include "http/router.hpp"
#include "setup/database_manager.hpp"

namespace ds::http {

// What a load balancer or Kubernetes probes (shared/spec/api.md, "Operations"):
//   GET /health  200 {"status":"ok"} whenever the process serves HTTP; touches no database
//   GET /ready   200 {"status":"ready"} once the database is initialized (its migrations
//                applied), else 503 {"status":"not_ready","reason":"..."}
// Both answer from memory on the I/O thread, so a probe never waits behind the database.
void add_operations_routes(Router& router, const setup::DatabaseManager& manager);

}  // namespace ds::http
