#pragma once
// Requests by route pattern, method and status, and their latency per route, recorded by the
// server for GET /metrics. Recording is a few relaxed atomic increments: no lock, no
// allocation, no lookup by name.
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "http/router.hpp"

namespace ds::http {

class RequestMetrics {
 public:
  // One series per route the router holds now; requests that match no route count under
  // route="unmatched" with their own method. `in_flight` is the server's count of requests
  // not answered yet.
  RequestMetrics(const Router& router, const std::atomic<int>& in_flight);
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;
  ~RequestMetrics();

  // `route` is the matched route (or null); `method` is the request's.
  void record(const Router::Route* route, Method method, int status,
              std::chrono::nanoseconds elapsed) noexcept;

 private:
  struct Series {
    std::string method;
    std::string route;
    std::array<std::atomic<std::uint64_t>, 500> by_status{};  // index: status - 100
    metrics::Histogram latency;
  };
  void write(metrics::Writer& out) const;

  const Router& router_;
  std::vector<std::unique_ptr<Series>> routes_;       // parallel to router_.routes()
  std::array<std::unique_ptr<Series>, 8> unmatched_;  // by Method
  const std::atomic<int>& in_flight_;
  std::unique_ptr<metrics::Registry::Collection> collection_;
};

}  // namespace ds::http
