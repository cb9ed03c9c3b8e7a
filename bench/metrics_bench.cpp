// What recording one request's metrics costs, single-threaded and from several threads at once
// (the server's I/O threads record concurrently): RequestMetrics::record, and one database
// call's StatementTimer. Run: build/bench/metrics_bench
#include <benchmark/benchmark.h>

#include "db/statement_metrics.hpp"
#include "http/router.hpp"
#include "server/request_metrics.hpp"

namespace {

ds::http::Router& router() {
  static ds::http::Router r = [] {
    ds::http::Router out;
    out.add(ds::http::Method::get, "/api/db/status",
            [](const ds::http::Request&) { return ds::http::Response::json(200, "{}"); });
    out.add(ds::http::Method::get, "/api/projects/:id",
            [](const ds::http::Request&) { return ds::http::Response::json(200, "{}"); });
    return out;
  }();
  return r;
}

std::atomic<int> in_flight{0};

void BM_RecordRequest(benchmark::State& state) {
  static ds::http::RequestMetrics metrics(router(), in_flight);
  const auto* route = &router().routes().front();
  for (auto _ : state) {
    const auto started = std::chrono::steady_clock::now();
    metrics.record(route, ds::http::Method::get, 200, std::chrono::steady_clock::now() - started);
  }
}
BENCHMARK(BM_RecordRequest)->Threads(1)->Threads(2)->Threads(4);

void BM_StatementTimer(benchmark::State& state) {
  for (auto _ : state) {
    const ds::db::StatementTimer timer(ds::db::StatementKind::read);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_StatementTimer)->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
