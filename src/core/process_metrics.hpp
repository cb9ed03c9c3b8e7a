#pragma once
// The process's own resources for GET /metrics, read from /proc when the metrics are read.
#include "core/metrics.hpp"

namespace ds::metrics {

// process_resident_memory_bytes, process_open_fds, process_max_fds (the names Prometheus's
// own clients use, so dashboards made for them work).
void write_process_metrics(Writer& out);

}  // namespace ds::metrics
