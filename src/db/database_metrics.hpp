#pragma once
// What a database reports about itself to GET /metrics, whatever its driver: the caller does
// not branch on the database type, the driver's part is written here.
#include "core/metrics.hpp"
#include "db/connection.hpp"

namespace ds::db {

// SQLite: the WAL's size and frames, checkpoints, the writer's groups and queue. Turso: its
// HTTP round trips are process-wide counters (turso/http_client.cpp), nothing to add here.
void write_database_metrics(const Connection& db, metrics::Writer& out);

}  // namespace ds::db
