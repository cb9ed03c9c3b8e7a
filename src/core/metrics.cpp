#include "core/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace ds::metrics {

struct Registry::Family {
  std::string name;
  std::string help;
  std::string type;  // "counter", "gauge" or "histogram"
  // One metric per label set; a deque, so references handed out stay valid.
  std::deque<std::pair<Labels, Counter>> counters;
  std::deque<std::pair<Labels, Gauge>> gauges;
  std::deque<std::pair<Labels, Histogram>> histograms;
};

namespace {

constexpr std::array<std::int64_t, Histogram::kBounds.size()> bounds_ns() {
  std::array<std::int64_t, Histogram::kBounds.size()> ns{};
  for (std::size_t i = 0; i < ns.size(); ++i)
    ns[i] = static_cast<std::int64_t>(Histogram::kBounds[i] * 1e9 + 0.5);
  return ns;
}
constexpr auto kBoundsNs = bounds_ns();

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else if (v == std::floor(v) && std::fabs(v) < 1e15) {
    fmt::format_to(std::back_inserter(out), "{}", static_cast<std::int64_t>(v));
  } else {
    fmt::format_to(std::back_inserter(out), "{}", v);
  }
}

// The text format escapes backslash, double quote and line feed in label values.
void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

template <class Metric>
Metric& find_or_add(std::deque<std::pair<Labels, Metric>>& metrics, const Labels& labels) {
  for (auto& [l, m] : metrics) {
    if (l == labels) return m;
  }
  return metrics
      .emplace_back(std::piecewise_construct, std::forward_as_tuple(labels),
                    std::forward_as_tuple())
      .second;
}

}  // namespace

std::size_t this_thread_shard() noexcept {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}

void Histogram::observe(std::chrono::nanoseconds elapsed) noexcept {
  const std::int64_t ns = std::max<std::int64_t>(elapsed.count(), 0);
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(kBoundsNs.begin(), kBoundsNs.end(), ns) - kBoundsNs.begin());
  Shard& shard = shards_[this_thread_shard()];
  shard.counts[bucket].fetch_add(1, std::memory_order_relaxed);
  shard.sum_ns.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const noexcept {
  Snapshot s;
  std::uint64_t running = 0;
  std::uint64_t sum_ns = 0;
  for (std::size_t i = 0; i <= kBounds.size(); ++i) {
    for (const Shard& shard : shards_) running += shard.counts[i].load(std::memory_order_relaxed);
    if (i < kBounds.size()) s.cumulative[i] = running;
  }
  for (const Shard& shard : shards_) sum_ns += shard.sum_ns.load(std::memory_order_relaxed);
  s.count = running;
  s.sum_seconds = static_cast<double>(sum_ns) / 1e9;
  return s;
}

void Writer::family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out_), "# HELP {} ", name);
  for (char c : help) {
    if (c == '\\') {
      out_ += "\\\\";
    } else if (c == '\n') {
      out_ += "\\n";
    } else {
      out_ += c;
    }
  }
  fmt::format_to(std::back_inserter(out_), "\n# TYPE {} {}\n", name, type);
}

void Writer::series(std::string_view name, std::string_view suffix, const Labels& labels,
                    std::string_view extra_label, std::string_view extra_value) {
  out_ += name;
  out_ += suffix;
  if (labels.empty() && extra_label.empty()) {
    out_ += ' ';
    return;
  }
  out_ += '{';
  bool first = true;
  const auto label = [&](std::string_view key, std::string_view value) {
    if (!first) out_ += ',';
    first = false;
    out_ += key;
    out_ += "=\"";
    append_label_value(out_, value);
    out_ += '"';
  };
  for (const auto& [key, value] : labels) label(key, value);
  if (!extra_label.empty()) label(extra_label, extra_value);
  out_ += "} ";
}

void Writer::sample(std::string_view name, const Labels& labels, double value) {
  series(name, "", labels, {}, {});
  append_value(out_, value);
  out_ += '\n';
}

void Writer::histogram(std::string_view name, const Labels& labels, const Histogram& histogram) {
  const auto s = histogram.snapshot();
  std::string bound;
  for (std::size_t i = 0; i < Histogram::kBounds.size(); ++i) {
    bound.clear();
    fmt::format_to(std::back_inserter(bound), "{}", Histogram::kBounds[i]);
    series(name, "_bucket", labels, "le", bound);
    append_value(out_, static_cast<double>(s.cumulative[i]));
    out_ += '\n';
  }
  series(name, "_bucket", labels, "le", "+Inf");
  append_value(out_, static_cast<double>(s.count));
  out_ += '\n';
  series(name, "_sum", labels, {}, {});
  append_value(out_, s.sum_seconds);
  out_ += '\n';
  series(name, "_count", labels, {}, {});
  append_value(out_, static_cast<double>(s.count));
  out_ += '\n';
}

Registry::Registry() = default;
Registry::~Registry() = default;

Registry& Registry::process() {
  static Registry registry;
  return registry;
}

Registry::Family& Registry::family(std::string_view name, std::string_view help,
                                   std::string_view type) {
  for (auto& f : families_) {
    if (f->name != name) continue;
    if (f->type != type) {
      throw Error(Errc::misuse, fmt::format("metric {} is a {}, not a {}", name, f->type, type));
    }
    return *f;
  }
  auto& f = *families_.emplace_back(std::make_unique<Family>());
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  return find_or_add(family(name, help, "counter").counters, labels);
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  return find_or_add(family(name, help, "gauge").gauges, labels);
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  return find_or_add(family(name, help, "histogram").histograms, labels);
}

std::unique_ptr<Registry::Collection> Registry::add_collector(
    std::function<void(Writer&)> collect) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  collectors_.push_back({id, std::move(collect)});
  return std::make_unique<Collection>(*this, id);
}

void Registry::remove_collector(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  std::erase_if(collectors_, [id](const Collector& c) { return c.id == id; });
}

void Registry::write(Writer& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& f : families_) {
    out.family(f->name, f->type, f->help);
    for (const auto& [labels, c] : f->counters)
      out.sample(f->name, labels, static_cast<double>(c.value()));
    for (const auto& [labels, g] : f->gauges) out.sample(f->name, labels, g.value());
    for (const auto& [labels, h] : f->histograms) out.histogram(f->name, labels, h);
  }
  for (const auto& c : collectors_) c.collect(out);
}

}  // namespace ds::metrics
