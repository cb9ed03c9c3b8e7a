// The Prometheus text format as core/metrics.hpp writes it: families once, escaped label
// values, cumulative buckets, collectors that come and go.
#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "core/error.hpp"

namespace ds::metrics {
namespace {

TEST(Metrics, CountersOfOneFamilyShareItsHeaderAndKeepTheirLabels) {
  Registry registry;
  auto& ok = registry.counter("t_total", "Things", {{"kind", "ok"}});
  auto& bad = registry.counter("t_total", "Things", {{"kind", "bad"}});
  EXPECT_EQ(&ok, &registry.counter("t_total", "Things", {{"kind", "ok"}}));
  ok.add(2);
  bad.add();
  Writer out;
  registry.write(out);
  EXPECT_EQ(out.text(),
            "# HELP t_total Things\n# TYPE t_total counter\n"
            "t_total{kind=\"ok\"} 2\nt_total{kind=\"bad\"} 1\n");
  EXPECT_THROW(registry.gauge("t_total", "Things"), Error);
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  Writer out;
  out.family("g", "gauge", "a \\ b\nc");
  out.sample("g", {{"path", "a\"b\\c\nd"}}, 1.5);
  EXPECT_EQ(out.text(), "# HELP g a \\\\ b\\nc\n# TYPE g gauge\ng{path=\"a\\\"b\\\\c\\nd\"} 1.5\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
  Histogram h;
  h.observe(std::chrono::microseconds(50));   // <= 0.0001
  h.observe(std::chrono::microseconds(100));  // <= 0.0001 (bounds are inclusive)
  h.observe(std::chrono::milliseconds(3));    // <= 0.005
  h.observe(std::chrono::seconds(60));        // above every bound
  const auto s = h.snapshot();
  EXPECT_EQ(s.cumulative.front(), 2u);
  EXPECT_EQ(s.cumulative[5], 3u);  // 0.005
  EXPECT_EQ(s.cumulative.back(), 3u);
  EXPECT_EQ(s.count, 4u);
  EXPECT_NEAR(s.sum_seconds, 60.00315, 1e-9);
  Writer out;
  out.histogram("d", {{"r", "x"}}, h);
  EXPECT_NE(out.text().find("d_bucket{r=\"x\",le=\"0.0001\"} 2\n"), std::string::npos);
  EXPECT_NE(out.text().find("d_bucket{r=\"x\",le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(out.text().find("d_count{r=\"x\"} 4\n"), std::string::npos);
}

TEST(Metrics, ACollectorWritesUntilItsHandleIsGone) {
  Registry registry;
  {
    const auto collection = registry.add_collector([](Writer& out) {
      out.family("c", "gauge", "Collected");
      out.sample("c", {}, 7);
    });
    Writer out;
    registry.write(out);
    EXPECT_NE(out.text().find("c 7\n"), std::string::npos);
  }
  Writer out;
  registry.write(out);
  EXPECT_EQ(out.text(), "");
}

TEST(Metrics, RecordingFromManyThreadsLosesNothing) {
  Registry registry;
  auto& c = registry.counter("n_total", "N");
  auto& h = registry.histogram("h_seconds", "H");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.add();
        h.observe(std::chrono::microseconds(i));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  EXPECT_EQ(h.snapshot().count, 40000u);
}

}  // namespace
}  // namespace ds::metrics
