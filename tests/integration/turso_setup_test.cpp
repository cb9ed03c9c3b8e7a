// Setup against the local Turso server, watched from outside: a counting proxy in front of it
// proves the round-trip budget. (Outages: setup_api_test.cpp, SetupApiTurso.)
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/counting_proxy.hpp"
#include "support/migrated_tables.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "support/turso_server.hpp"

namespace {

using ds::test::CountingProxy;
using ds::test::ServerProcess;
using ds::test::TursoServer;
using nlohmann::json;

constexpr const char* kToken = "turso-token-never-logged";

ServerProcess::Env turso_env(const std::string& url) {
  return {{"TURSO_DATABASE_URL", url}, {"TURSO_AUTH_TOKEN", kToken}};
}

// A copy of the core migrations plus `extra` more, each creating one table.
std::filesystem::path migrations_with_extra(const std::filesystem::path& dir, int extra) {
  const auto core = ds::test::core_migrations_dir();
  const auto out = dir / "migrations";
  std::filesystem::copy(core, out, std::filesystem::copy_options::recursive);
  json journal = json::parse(std::ifstream(out / "meta" / "_journal.json"));
  std::int64_t when = journal["entries"].back()["when"];
  for (int i = 1; i <= extra; ++i) {
    const std::string tag = fmt::format("{:04}_extra_{}", i, i);
    std::ofstream(out / (tag + ".sql")) << fmt::format(
        "CREATE TABLE `extra_{0}` (\n\t`id` integer PRIMARY KEY NOT NULL\n);\n--> "
        "statement-breakpoint\n"
        "CREATE INDEX `extra_{0}_id` ON `extra_{0}` (`id`);",
        i);
    journal["entries"].push_back(
        {{"idx", i}, {"version", "6"}, {"when", when + i}, {"tag", tag}, {"breakpoints", true}});
  }
  std::ofstream(out / "meta" / "_journal.json") << journal.dump(2);
  return out;
}

// Without tursodb, TursoServer throws with the install command: a failure, not a skip.
class TursoSetupBudget : public ::testing::TestWithParam<bool> {
 protected:
  ds::test::TempDir dir_;
};

// issue #5: "Setup against Turso with all core migrations and settings takes at most 4 HTTP
// requests in total, whatever the number of migrations and settings" (plus, on a server
// without Hrana 3, the one 404 that finds it out). With and without an
// encryption secret (without one, setup also creates the key file: no extra request).
TEST_P(TursoSetupBudget, SetupTakesAtMostFourRequestsWhateverTheMigrationCount) {
  const bool with_secret = GetParam();
  TursoServer turso(dir_.path());
  CountingProxy proxy(turso.port());
  auto env = turso_env(proxy.url());
  env["DEPLOYSTACK_MIGRATIONS_DIR"] = migrations_with_extra(dir_.path(), 40).string();
  env["DEPLOYSTACK_ADMIN_TOKEN"] = "admin-token-for-tests";
  if (with_secret) env["DEPLOYSTACK_ENCRYPTION_SECRET"] = "a secret long enough for argon2id";
  ServerProcess server(env);
  server.start();

  const auto r = server.request("POST", "/api/db/setup", R"({"type":"turso"})");
  ASSERT_EQ(r.status, 200) << r.body << server.log();
  std::string sent;
  for (const auto& req : proxy.requests())
    sent += "\n" + req.target + " " + req.body.substr(0, 300);
  // tursodb has no Hrana 3: finding that out costs each process one request, answered 404
  // before anything ran. The budget counts the requests that do the work.
  const auto probes = [&proxy] {
    std::size_t n = 0;
    for (const auto& req : proxy.requests()) n += req.target.ends_with("/v3/pipeline") ? 1 : 0;
    return n;
  };
  EXPECT_EQ(probes(), 1u) << "requests sent:" << sent;
  EXPECT_LE(proxy.count() - probes(), 4u) << "requests sent:" << sent;
  // issue #6: "On Turso the settings stage is one HTTP request": every group and setting
  // insert travels in the same request.
  int settings_requests = 0;
  for (const auto& req : proxy.requests()) {
    if (req.body.find(R"(INSERT INTO \"globalSettings\")") == std::string::npos) continue;
    ++settings_requests;
    EXPECT_NE(req.body.find(R"(INSERT INTO \"globalSettingGroups\")"), std::string::npos);
    for (const char* key : {"global.page_url", "smtp.password", "github.oauth.client_secret"}) {
      EXPECT_NE(req.body.find(key), std::string::npos) << key;
    }
  }
  EXPECT_EQ(settings_requests, 1) << "requests sent:" << sent;

  // It all happened: the database is initialized, every built-in setting is there.
  const auto status = json::parse(server.request("GET", "/api/db/status").body);
  EXPECT_EQ(status, json::parse(R"({"configured":true,"initialized":true,"dialect":"turso"})"));
  const auto settings = server.request("GET", "/api/settings", {},
                                       {{"authorization", "Bearer admin-token-for-tests"}});
  ASSERT_EQ(settings.status, 200) << settings.body;
  EXPECT_GE(json::parse(settings.body)["data"].size(), 17u) << settings.body;
  EXPECT_EQ(std::filesystem::exists(server.dir() / "persistent_data" / "encryption.key"),
            !with_secret);
  EXPECT_EQ(server.log().find(kToken), std::string::npos);

  // A restart re-checks everything and changes nothing, also within the budget.
  const auto before = proxy.count();
  const auto probes_before = probes();
  server.restart();
  ASSERT_TRUE(server.wait_for_log("database=turso initialized"));
  EXPECT_EQ(probes() - probes_before, 1u);
  EXPECT_LE(proxy.count() - before - (probes() - probes_before), 3u);
  EXPECT_NE(server.log().find("settings: created groups=[] settings=[]"), std::string::npos)
      << server.log();
}

INSTANTIATE_TEST_SUITE_P(KeySource, TursoSetupBudget, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Secret" : "KeyFile"; });

}  // namespace
