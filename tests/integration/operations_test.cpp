// GET /health and GET /ready over real HTTP against the real binary: what a load balancer or
// Kubernetes probe sees before setup, after it, and when the database cannot be served.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/server_process.hpp"
#include "support/turso_server.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

std::string reason_of(const HttpResponse& r) {
  return nlohmann::json::parse(r.body).value("reason", "");
}

TEST(Operations, HealthIsAlways200AndReadyFollowsSetup) {
  ServerProcess server;
  server.start();
  const auto health = server.request("GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
  EXPECT_EQ(health.header("content-type"), kJsonContentType);

  const auto before = server.request("GET", "/ready");
  EXPECT_EQ(before.status, 503);
  EXPECT_EQ(nlohmann::json::parse(before.body).at("status"), "not_ready");
  EXPECT_NE(reason_of(before).find("POST /api/db/setup"), std::string::npos) << before.body;

  ASSERT_EQ(server.setup_database().status, 200);
  const auto after = server.request("GET", "/ready");
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.body, R"({"status":"ready"})");

  server.restart();  // the same answer after a start that re-runs the migrations
  EXPECT_EQ(server.request("GET", "/ready").status, 200);
}

TEST(Operations, ADatabaseThatCannotBeServedIsNotReadyWithItsReason) {
  ServerProcess server;
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  server.stop();
  std::filesystem::remove(server.dir() / "persistent_data/database/deploystack.db");
  server.start();
  const auto ready = server.request("GET", "/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(reason_of(ready).find("could not be initialized"), std::string::npos) << ready.body;
  EXPECT_EQ(server.request("GET", "/health").status, 200);
}

TEST(Operations, AnUnreachableTursoIsNotReadyRetryingAndTheReasonHoldsNoToken) {
  const auto port = pick_free_port();  // nothing listens there
  ServerProcess server({{"DB_TYPE", "turso"},
                        {"TURSO_DATABASE_URL", "http://127.0.0.1:" + std::to_string(port)},
                        {"TURSO_AUTH_TOKEN", "tok-SECRET-ops"},
                        {"TURSO_TIMEOUT_MS", "500"}});
  server.start();
  const auto ready = server.request("GET", "/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(reason_of(ready).find("(retrying)"), std::string::npos) << ready.body;
  EXPECT_EQ(ready.body.find("tok-SECRET-ops"), std::string::npos);
  EXPECT_EQ(server.request("GET", "/health").status, 200);
}

TEST(Operations, AnInvalidSelectionFileIsNotReadyNamingTheFile) {
  ServerProcess server;
  std::filesystem::create_directories(server.selection_file().parent_path());
  { std::ofstream(server.selection_file()) << "not json"; }
  server.start();
  const auto ready = server.request("GET", "/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(reason_of(ready).find("db.selection.json"), std::string::npos) << ready.body;
}

}  // namespace
}  // namespace ds::test
