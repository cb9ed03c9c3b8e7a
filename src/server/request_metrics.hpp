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

  // The status codes of RFC 9110 (and 429, 431, 451, 511) have a slot each; any other code a
  // plugin may answer counts as status="other".
  static constexpr std::array<int, 49> kStatuses{
      100, 101, 200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303, 304, 305, 307, 308,
      400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416,
      417, 421, 422, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 511};

 private:
  struct alignas(64) StatusCounts {
    std::array<std::atomic<std::uint64_t>, kStatuses.size() + 1> by_slot{};  // last: other
  };
  struct Series {
    std::string method;
    std::string route;
    std::array<StatusCounts, metrics::kShards> counts{};
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
