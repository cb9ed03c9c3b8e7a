#include "db/statement_metrics.hpp"

#include <array>

#include "core/metrics.hpp"

namespace ds::db {
namespace {

struct KindMetrics {
  metrics::Histogram* duration;
  metrics::Counter* errors;
};

std::array<KindMetrics, 5> make_metrics() {
  auto& registry = metrics::Registry::process();
  std::array<KindMetrics, 5> out{};
  constexpr std::array<const char*, 5> kNames{"read", "write", "batch", "transaction", "migration"};
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    const metrics::Labels labels{{"kind", kNames[i]}};
    out[i].duration = &registry.histogram(
        "deploystack_db_statement_duration_seconds",
        "Time of a database call by kind (read, write, batch, transaction, migration)", labels);
    out[i].errors = &registry.counter("deploystack_db_statement_errors_total",
                                      "Database calls that ended with an error, by kind", labels);
  }
  return out;
}

const std::array<KindMetrics, 5>& kind_metrics() {
  static const auto metrics = make_metrics();
  return metrics;
}

}  // namespace

StatementTimer::~StatementTimer() {
  const auto& m = kind_metrics()[static_cast<std::size_t>(kind_)];
  m.duration->observe(std::chrono::steady_clock::now() - start_);
  if (std::uncaught_exceptions() > exceptions_) m.errors->add();
}

}  // namespace ds::db
