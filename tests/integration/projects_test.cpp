// /api/projects against the real binary, on a real SQLite file and on the local Turso server:
// the same tests, one suite parametrised by database.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/time.hpp"
#include "support/server_process.hpp"

namespace {

using nlohmann::json;

class ProjectsApi : public ::testing::TestWithParam<ds::test::BackendFactory> {};

TEST_P(ProjectsApi, Answers503BeforeSetup) {
  ds::test::ServerProcess server({}, GetParam()());
  server.start();
  const auto r = server.request("GET", "/api/projects");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["error"], "Database not initialized. Complete setup via POST /api/db/setup.");
}

TEST_P(ProjectsApi, CrudRoundTrip) {
  ds::test::ServerProcess server({}, GetParam()());
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  auto client = server.client();

  auto created = client->request("POST", "/api/projects", R"({"name":"It's \"mine\"","description":"d"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto p = json::parse(created.body);
  EXPECT_EQ(p["name"], "It's \"mine\"");
  EXPECT_EQ(p["description"], "d");
  EXPECT_TRUE(p["userId"].is_null());
  EXPECT_EQ(p["id"].get<std::string>().size(), 36u);
  EXPECT_TRUE(ds::parse_iso8601(p["createdAt"].get<std::string>()));
  const std::string id = p["id"];

  auto got = client->request("GET", "/api/projects/" + id);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(json::parse(got.body), p);

  auto list = client->request("GET", "/api/projects?limit=10&offset=0");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(json::parse(list.body), json::array({p}));

  auto patched = client->request("PATCH", "/api/projects/" + id, R"({"description":null})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_TRUE(json::parse(patched.body)["description"].is_null());
  EXPECT_EQ(json::parse(patched.body)["name"], p["name"]);

  EXPECT_EQ(client->request("PATCH", "/api/projects/" + id, "{}").status, 400);
  EXPECT_EQ(client->request("PATCH", "/api/projects/nope", R"({"name":"x"})").status, 404);
  EXPECT_EQ(client->request("DELETE", "/api/projects/" + id).status, 204);
  EXPECT_EQ(client->request("DELETE", "/api/projects/" + id).status, 404);
  auto missing = client->request("GET", "/api/projects/" + id);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, R"({"error":"Project not found"})");
}

// updatedAt has millisecond resolution: a PATCH in the same second as the POST still moves it.
TEST_P(ProjectsApi, APatchMovesUpdatedAtEvenWithinTheSameSecond) {
  ds::test::ServerProcess server({}, GetParam()());
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  auto client = server.client();
  const auto created = client->request("POST", "/api/projects", R"({"name":"a"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto p = json::parse(created.body);
  const auto created_at = ds::parse_iso8601(p["createdAt"].get<std::string>());
  ASSERT_TRUE(created_at);
  EXPECT_EQ(p["updatedAt"], p["createdAt"]);
  // The PATCH starts once the clock has passed the creation millisecond (usually at once).
  while (ds::now_ms() <= *created_at) {
  }
  const auto patched =
      client->request("PATCH", "/api/projects/" + p["id"].get<std::string>(), R"({"name":"b"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  const auto updated_at =
      ds::parse_iso8601(json::parse(patched.body)["updatedAt"].get<std::string>());
  ASSERT_TRUE(updated_at);
  EXPECT_GT(*updated_at, *created_at) << patched.body;
  EXPECT_EQ(json::parse(patched.body)["createdAt"], p["createdAt"]);
}

TEST_P(ProjectsApi, ValidationAndConstraints) {
  ds::test::ServerProcess server({}, GetParam()());
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  auto client = server.client();
  EXPECT_EQ(client->request("POST", "/api/projects", R"({"description":"no name"})").status, 400);
  EXPECT_EQ(client->request("POST", "/api/projects", R"({"name":""})").status, 400);
  EXPECT_EQ(client->request("POST", "/api/projects", R"({"name":5})").status, 400);
  auto fk = client->request("POST", "/api/projects", R"({"name":"x","userId":"no-such-user"})");
  EXPECT_EQ(fk.status, 409);
  EXPECT_TRUE(json::parse(fk.body).contains("error"));
  for (const char* bad : {"limit=0", "limit=501", "limit=abc", "offset=-1", "limit=5x"}) {
    EXPECT_EQ(client->request("GET", std::string("/api/projects?") + bad).status, 400) << bad;
  }
  EXPECT_EQ(client->request("GET", "/api/projects?limit=500").status, 200);
}

TEST_P(ProjectsApi, PagingFollowsCreatedAtThenId) {
  ds::test::ServerProcess server({}, GetParam()());
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  auto client = server.client();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto r = client->request("POST", "/api/projects", R"({"name":"p"})");
    ASSERT_EQ(r.status, 201);
  }
  const auto all = json::parse(client->request("GET", "/api/projects").body);
  ASSERT_EQ(all.size(), 5u);
  for (std::size_t i = 1; i < all.size(); ++i) {
    const auto a = std::make_pair(all[i - 1]["createdAt"].get<std::string>(), all[i - 1]["id"].get<std::string>());
    const auto b = std::make_pair(all[i]["createdAt"].get<std::string>(), all[i]["id"].get<std::string>());
    EXPECT_LT(a, b);
  }
  const auto page = json::parse(client->request("GET", "/api/projects?limit=2&offset=3").body);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0], all[3]);
  EXPECT_EQ(page[1], all[4]);
}

TEST_P(ProjectsApi, NoLogLineAtAnyLevelContainsTheDatabaseToken) {
  ds::test::ServerProcess server({{"LOG_LEVEL", "trace"}}, GetParam()());
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  auto client = server.client();
  ASSERT_EQ(client->request("POST", "/api/projects", R"({"name":"n"})").status, 201);
  ASSERT_EQ(client->request("GET", "/api/projects").status, 200);
  EXPECT_EQ(server.stop(), 0);
  const std::string log = server.log();
  EXPECT_NE(log.find("level=trace"), std::string::npos) << "the log must be at trace level for this test";
  EXPECT_EQ(log.find("test-token-never-logged"), std::string::npos) << log;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ProjectsApi, ::testing::Values(&ds::test::sqlite_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(Turso, ProjectsApi, ::testing::Values(&ds::test::turso_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV2, ProjectsApi, ::testing::Values(&ds::test::hrana_v2_backend),
                         ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV3, ProjectsApi, ::testing::Values(&ds::test::hrana_v3_backend),
                         ds::test::backend_name);

}  // namespace
