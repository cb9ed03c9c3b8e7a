#include "server/request_metrics.hpp"

namespace ds::http {
namespace {

constexpr int kFirstStatus = 100;
constexpr int kLastStatus = 599;

// Status code -> its slot in Series::counts (kStatuses.size(): other), a table built once.
const auto kSlotOfStatus = [] {
  std::array<std::uint8_t, kLastStatus - kFirstStatus + 1> slots{};
  slots.fill(static_cast<std::uint8_t>(RequestMetrics::kStatuses.size()));
  for (std::size_t i = 0; i < RequestMetrics::kStatuses.size(); ++i)
    slots[static_cast<std::size_t>(RequestMetrics::kStatuses[i] - kFirstStatus)] =
        static_cast<std::uint8_t>(i);
  return slots;
}();

}  // namespace

RequestMetrics::RequestMetrics(const Router& router, const std::atomic<int>& in_flight)
    : router_(router), in_flight_(in_flight) {
  for (const auto& route : router.routes()) {
    auto& s = *routes_.emplace_back(std::make_unique<Series>());
    s.method = to_string(route.method);
    s.route = Router::pattern(route);
  }
  for (std::size_t m = 0; m < unmatched_.size(); ++m) {
    unmatched_[m] = std::make_unique<Series>();
    unmatched_[m]->method = to_string(static_cast<Method>(m));
    unmatched_[m]->route = "unmatched";
  }
  collection_ =
      metrics::Registry::process().add_collector([this](metrics::Writer& out) { write(out); });
}

RequestMetrics::~RequestMetrics() = default;

void RequestMetrics::record(const Router::Route* route, Method method, int status,
                            std::chrono::nanoseconds elapsed) noexcept {
  Series* s = nullptr;
  if (route != nullptr) {
    const auto index = static_cast<std::size_t>(route - router_.routes().data());
    if (index < routes_.size()) s = routes_[index].get();
  }
  if (s == nullptr) s = unmatched_[static_cast<std::size_t>(method) % unmatched_.size()].get();
  const std::size_t slot = status >= kFirstStatus && status <= kLastStatus
                               ? kSlotOfStatus[static_cast<std::size_t>(status - kFirstStatus)]
                               : kStatuses.size();
  s->counts[metrics::this_thread_shard()].by_slot[slot].fetch_add(1, std::memory_order_relaxed);
  s->latency.observe(elapsed);
}

void RequestMetrics::write(metrics::Writer& out) const {
  std::vector<const Series*> all;
  for (const auto& s : routes_) all.push_back(s.get());
  for (const auto& s : unmatched_) all.push_back(s.get());

  out.family("deploystack_http_requests_total", "counter",
             "HTTP requests answered, by route pattern, method and status (HEAD counts under "
             "its GET route)");
  std::string status;
  for (const Series* s : all) {
    for (std::size_t i = 0; i <= kStatuses.size(); ++i) {
      std::uint64_t n = 0;
      for (const auto& shard : s->counts) n += shard.by_slot[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      status = i < kStatuses.size() ? std::to_string(kStatuses[i]) : "other";
      out.sample("deploystack_http_requests_total",
                 {{"method", s->method}, {"route", s->route}, {"status", status}},
                 static_cast<double>(n));
    }
  }
  out.family("deploystack_http_request_duration_seconds", "histogram",
             "Time from a request's header to its answer, by route pattern and method");
  for (const Series* s : all) {
    if (s->latency.snapshot().count == 0) continue;
    out.histogram("deploystack_http_request_duration_seconds",
                  {{"method", s->method}, {"route", s->route}}, s->latency);
  }
  out.family("deploystack_http_requests_in_flight", "gauge",
             "Requests whose answer has not been written yet");
  out.sample("deploystack_http_requests_in_flight", {}, static_cast<double>(in_flight_.load()));
}

}  // namespace ds::http
