#pragma once
// The process's metrics in the Prometheus text exposition format (GET /metrics). Recording is
// lock-free (relaxed atomics), so it may sit on every request's path; creating a metric takes
// a lock, so callers create theirs once and keep the reference, which stays valid for the
// process's life.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ds::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Metrics recorded on every request are split into this many cache-line-aligned shards, one
// chosen per thread: threads on different cores then never write the same cache line (a
// contended atomic increment costs ~20x an uncontended one), and reading sums the shards.
inline constexpr std::size_t kShards = 4;
std::size_t this_thread_shard() noexcept;

// Durations in seconds, counted in fixed buckets from 100 µs to 10 s: the range between an
// embedded read and a request that waited for a remote server's timeout.
class Histogram {
 public:
  static constexpr std::array<double, 16> kBounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                  0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                  1.0,    2.5,     5.0,    10.0};
  void observe(std::chrono::nanoseconds elapsed) noexcept;

  struct Snapshot {
    std::array<std::uint64_t, kBounds.size()> cumulative{};  // observations <= each bound
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };
  Snapshot snapshot() const noexcept;

 private:
  struct alignas(64) Shard {
    std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> counts{};  // the last: above all
    std::atomic<std::uint64_t> sum_ns{0};
  };
  std::array<Shard, kShards> shards_{};
};

// Writes the text format. A family's samples follow its HELP and TYPE lines; label values are
// escaped as the format requires.
class Writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const Labels& labels, double value);
  void histogram(std::string_view name, const Labels& labels, const Histogram& histogram);
  const std::string& text() const noexcept { return out_; }

 private:
  void series(std::string_view name, std::string_view suffix, const Labels& labels,
              std::string_view extra_label, std::string_view extra_value);
  std::string out_;
};

// The metrics recorded anywhere in the process, plus collectors that add samples computed when
// the metrics are read (a file's size, a server's in-flight requests).
class Registry {
 public:
  Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry();

  // The one registry the server renders; a test may make registries of its own.
  static Registry& process();

  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, const Labels& labels = {});

  // `collect` writes whole families of its own (Writer::family first) each time the metrics
  // are read, until the returned handle is destroyed. It runs under the registry's lock: it
  // must not create metrics.
  class Collection;
  [[nodiscard]] std::unique_ptr<Collection> add_collector(std::function<void(Writer&)> collect);

  void write(Writer& out) const;

 private:
  struct Family;
  struct Collector {
    std::uint64_t id;
    std::function<void(Writer&)> collect;
  };
  Family& family(std::string_view name, std::string_view help, std::string_view type);
  void remove_collector(std::uint64_t id);

  mutable std::mutex mutex_;
  std::deque<std::unique_ptr<Family>> families_;  // in creation order
  std::vector<Collector> collectors_;
  std::uint64_t next_id_ = 0;
};

class Registry::Collection {
 public:
  Collection(Registry& registry, std::uint64_t id) : registry_(registry), id_(id) {}
  Collection(const Collection&) = delete;
  Collection& operator=(const Collection&) = delete;
  ~Collection() { registry_.remove_collector(id_); }

 private:
  Registry& registry_;
  std::uint64_t id_;
};

}  // namespace ds::metrics
