// GET /metrics over real HTTP against the real binary: who may read it, that Prometheus's own
// checker accepts it, that its counters move with the requests made, and that it holds no
// secret.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>

#include "support/database_backend.hpp"
#include "support/server_process.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

constexpr const char* kAdminToken = "admin-token-SECRET-metrics";
constexpr const char* kEncryptionSecret = "encryption-SECRET-metrics-0123456789";
constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

ServerProcess::Env admin_env() {
  return {{"DEPLOYSTACK_ADMIN_TOKEN", kAdminToken},
          {"DEPLOYSTACK_ENCRYPTION_SECRET", kEncryptionSecret}};
}

HttpResponse scrape(const ServerProcess& server) {
  return server.request("GET", "/metrics", {},
                        {{"Authorization", std::string("Bearer ") + kAdminToken}});
}

// Prometheus's own checker of the exposition format (Debian's `prometheus` package): a
// missing promtool fails the test.
void expect_promtool_accepts(const std::string& text) {
  TempDir dir;
  const auto file = dir / "metrics.txt";
  { std::ofstream(file) << text; }
  const auto result =
      run_command({.argv = {"/bin/sh", "-c", "promtool check metrics < metrics.txt 2>&1"},
                   .env = {},
                   .cwd = dir.path(),
                   .stderr_file = {}});
  EXPECT_EQ(result.status, 0) << "promtool check metrics (install Debian's prometheus package, "
                                 "scripts/setup.sh does):\n"
                              << result.out;
}

TEST(Metrics, NeedTheAdminTokenLikeTheSettingsApi) {
  ServerProcess no_token;
  no_token.start();
  const auto disabled = no_token.request("GET", "/metrics");
  EXPECT_EQ(disabled.status, 403) << disabled.body;
  EXPECT_NE(disabled.body.find("Metrics disabled: DEPLOYSTACK_ADMIN_TOKEN is not set"),
            std::string::npos)
      << disabled.body;

  ServerProcess server(admin_env());
  server.start();
  EXPECT_EQ(server.request("GET", "/metrics").status, 401);
  EXPECT_EQ(server.request("GET", "/metrics", {}, {{"Authorization", "Bearer wrong"}}).status, 401);
  const auto ok = scrape(server);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("content-type"), kPrometheusContentType);
}

TEST(Metrics, MetricsPublicOpensThemWithoutTheToken) {
  ServerProcess server(ServerProcess::Env{{"METRICS_PUBLIC", "1"}});
  server.start();
  const auto ok = server.request("GET", "/metrics");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("process_resident_memory_bytes "), std::string::npos) << ok.body;

  ServerProcess bad(ServerProcess::Env{{"METRICS_PUBLIC", "yes please"}});
  EXPECT_THROW(bad.start(), std::runtime_error);
  EXPECT_NE(bad.log().find("METRICS_PUBLIC must be 0, 1, false or true"), std::string::npos)
      << bad.log();
}

TEST(Metrics, PromtoolAcceptsThemAndTheCountersMoveWithRequests) {
  ServerProcess server(admin_env());
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  const auto before = scrape(server);
  ASSERT_EQ(before.status, 200);
  expect_promtool_accepts(before.body);
  const std::string status_series =
      R"(deploystack_http_requests_total{method="GET",route="/api/db/status",status="200"})";
  const std::string created_series =
      R"(deploystack_http_requests_total{method="POST",route="/api/projects",status="201"})";
  const std::string unmatched_series =
      R"(deploystack_http_requests_total{method="GET",route="unmatched",status="404"})";
  const double status_before = std::max(0.0, metric_value(before.body, status_series));
  EXPECT_GE(metric_value(before.body, "deploystack_migrations_applied_total"), 1) << before.body;
  EXPECT_GT(metric_value(before.body, "deploystack_migration_last_duration_seconds"), 0)
      << before.body;

  for (int i = 0; i < 5; ++i) ASSERT_EQ(server.request("GET", "/api/db/status").status, 200);
  for (int i = 0; i < 3; ++i) {
    const auto created =
        server.request("POST", "/api/projects", R"({"name":"m)" + std::to_string(i) + R"("})",
                       {{"Content-Type", "application/json"}});
    ASSERT_EQ(created.status, 201) << created.body;
  }
  ASSERT_EQ(server.request("GET", "/no/such/route/8f3a").status, 404);

  const auto after = scrape(server);
  ASSERT_EQ(after.status, 200);
  expect_promtool_accepts(after.body);
  EXPECT_EQ(metric_value(after.body, status_series), status_before + 5) << after.body;
  EXPECT_EQ(metric_value(after.body, created_series), 3) << after.body;
  EXPECT_GE(metric_value(after.body, unmatched_series), 1) << after.body;
  // The latency histogram of the route counted the same requests; in flight: this scrape.
  EXPECT_EQ(
      metric_value(
          after.body,
          R"(deploystack_http_request_duration_seconds_count{method="POST",route="/api/projects"})"),
      3)
      << after.body;
  EXPECT_EQ(metric_value(after.body, "deploystack_http_requests_in_flight"), 1) << after.body;
  EXPECT_GE(
      metric_value(after.body, R"(deploystack_db_statement_duration_seconds_count{kind="write"})"),
      3)
      << after.body;
  EXPECT_GE(metric_value(after.body, "deploystack_sqlite_writes_total"), 3) << after.body;
  EXPECT_GT(metric_value(after.body, "deploystack_sqlite_wal_bytes"), 0) << after.body;
  EXPECT_GT(metric_value(after.body, "process_open_fds"), 0) << after.body;
  EXPECT_GT(metric_value(after.body, "process_resident_memory_bytes"), 1 << 20) << after.body;
  // No path of a request is a label: routes are patterns, unknown paths "unmatched".
  EXPECT_EQ(after.body.find("8f3a"), std::string::npos);
  EXPECT_EQ(after.body.find(kAdminToken), std::string::npos);
  EXPECT_EQ(after.body.find(kEncryptionSecret), std::string::npos);
}

TEST(Metrics, TursoRoundTripsAreCountedAndNoTokenIsShown) {
  auto backend = turso_backend();
  ServerProcess server(admin_env(), backend);
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  const auto before = scrape(server);
  ASSERT_EQ(before.status, 200);
  const double trips_before = metric_value(before.body, "deploystack_turso_http_requests_total");
  EXPECT_GE(trips_before, 1) << before.body;
  ASSERT_EQ(server.request("GET", "/api/projects").status, 200);
  const auto after = scrape(server);
  expect_promtool_accepts(after.body);
  EXPECT_EQ(metric_value(after.body, "deploystack_turso_http_requests_total"), trips_before + 1)
      << after.body;
  EXPECT_EQ(metric_value(after.body, "deploystack_sqlite_wal_bytes"), -1) << after.body;
  EXPECT_EQ(after.body.find(kTursoTestToken), std::string::npos);
}

}  // namespace
}  // namespace ds::test
