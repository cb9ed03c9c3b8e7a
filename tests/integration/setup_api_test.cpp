// POST /api/db/setup and GET /api/db/status against the real binary: every row of the setup
// table of shared/spec/api.md. One suite parametrised by database (SQLite file, local Turso
// server); what is inherently about one of them (the SQLite file, Turso's environment and
// reachability) is in the suites after it.
#include <gtest/gtest.h>

#include <fstream>
#include <latch>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/time.hpp"
#include "setup/selection_file.hpp"
#include "support/server_process.hpp"
#include "support/turso_server.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

const std::string kTursoIncomplete =
    R"({"error":"Database configuration incomplete. Please check environment variables.","details":"Turso configuration incomplete. Required: TURSO_DATABASE_URL, TURSO_AUTH_TOKEN"})";

HttpResponse post_setup(const ServerProcess& server, const std::string& body, const Headers& headers = {}) {
  return server.request("POST", "/api/db/setup", body, headers);
}

std::string type_body(const std::string& type) { return R"({"type":")" + type + R"("})"; }

// Whether the migrations ran on this database (seen through the test's own connection).
bool has_migrations_table(DatabaseBackend& backend) {
  const auto db = backend.connect();
  if (!db) return false;
  return db->execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").row_count() == 1;
}


class SetupApi : public ::testing::TestWithParam<BackendFactory> {
 protected:
  std::string type() const { return backend_->type(); }
  std::shared_ptr<DatabaseBackend> backend_ = GetParam()();
};

TEST_P(SetupApi, StatusBeforeAndAfterSetup) {
  ServerProcess server({}, backend_);
  server.start();
  auto before = server.request("GET", "/api/db/status");
  EXPECT_EQ(before.status, 200);
  EXPECT_EQ(before.header("content-type"), kJsonContentType);
  EXPECT_EQ(before.body, kStatusBeforeSetup);

  const auto setup = server.setup_database();
  EXPECT_EQ(setup.status, 200);
  EXPECT_EQ(setup.header("content-type"), kJsonContentType);
  EXPECT_EQ(setup.body, setup_success(server.database_type()));

  EXPECT_EQ(server.request("GET", "/api/db/status").body, status_ready(server.database_type()));
}

TEST_P(SetupApi, SetupWritesTheSelectionAndMigratesTheDatabase) {
  ServerProcess server({}, backend_);
  server.start();
  EXPECT_FALSE(has_migrations_table(*backend_));
  ASSERT_EQ(post_setup(server, type_body(type())).status, 200);
  EXPECT_TRUE(has_migrations_table(*backend_));
  const auto json = nlohmann::json::parse(read_file(server.selection_file()));
  EXPECT_EQ(json.at("type"), type());
  EXPECT_EQ(json.at("version"), "1.0");
  EXPECT_TRUE(parse_iso8601(json.at("selectedAt").get<std::string>()));
  // No temp file left behind.
  for (const auto& e : std::filesystem::directory_iterator(server.dir() / "persistent_data")) {
    EXPECT_FALSE(e.path().filename().string().starts_with(".db.selection.json")) << e.path();
  }
}

TEST_P(SetupApi, UnknownExtraPropertiesAreIgnored) {
  ServerProcess server({}, backend_);
  server.start();
  const auto r = post_setup(server, R"({"type":")" + type() + R"(","extra":{"x":[1,2]},"n":1})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, setup_success(type()));
}

TEST_P(SetupApi, MissingOrInvalidTypeIs400) {
  ServerProcess server({}, backend_);
  server.start();
  for (const char* body : {R"({})", R"({"type":"mysql"})", R"({"type":1})", R"({"type":null})",
                           R"({"type":"SQLITE"})", R"({"type":["sqlite"]})", R"({"Type":"sqlite"})"}) {
    SCOPED_TRACE(body);
    expect_validation_error(post_setup(server, body), "type");
  }
  // No body at all is an empty object: the type is missing.
  expect_validation_error(server.request("POST", "/api/db/setup"), "type");
  // Nothing was set up by any of them.
  EXPECT_EQ(server.request("GET", "/api/db/status").body, kStatusBeforeSetup);
  EXPECT_FALSE(std::filesystem::exists(server.selection_file()));
  EXPECT_FALSE(has_migrations_table(*backend_));
}

TEST_P(SetupApi, MalformedJsonIs400) {
  ServerProcess server({}, backend_);
  server.start();
  for (const char* body : {"{", "{\"type\":\"sqlite\"", "not json", "{\"type\":'sqlite'}", "{\"type\":\"sqlite\"}}"}) {
    SCOPED_TRACE(body);
    expect_validation_error(post_setup(server, body), "", "Body is not valid JSON: ");
  }
  // Valid JSON that is not an object fails the schema at the root.
  for (const char* body : {"[]", "\"sqlite\"", "42", "null"}) {
    SCOPED_TRACE(body);
    expect_validation_error(post_setup(server, body), "");
  }
}

// Turso's own configuration rows: no database is reached, so no backend is needed.
TEST(SetupApiTurso, WithoutBothVariablesIs400) {
  {
    ServerProcess server;
    server.start();
    const auto r = post_setup(server, R"({"type":"turso"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body, kTursoIncomplete);
  }
  for (const auto& [name, value] : std::map<std::string, std::string>{
           {"TURSO_DATABASE_URL", "libsql://db.example"}, {"TURSO_AUTH_TOKEN", "secret-token-value"}}) {
    ServerProcess server(ServerProcess::Env{{name, value}});
    server.start();
    const auto r = post_setup(server, R"({"type":"turso"})");
    EXPECT_EQ(r.status, 400) << name;
    EXPECT_EQ(r.body, kTursoIncomplete) << name;
    EXPECT_EQ(server.request("GET", "/api/db/status").body, kStatusBeforeSetup);
  }
}

TEST(SetupApiTurso, AnUnsupportedSchemeIs400NamingTheAcceptedOnes) {
  ServerProcess server(ServerProcess::Env{{"TURSO_DATABASE_URL", "ftp://db.example"}, {"TURSO_AUTH_TOKEN", "secret-token-value"}});
  server.start();
  const auto r = post_setup(server, R"({"type":"turso"})");
  EXPECT_EQ(r.status, 400);
  const auto json = nlohmann::ordered_json::parse(r.body);
  EXPECT_EQ(json.size(), 2u);
  EXPECT_EQ(json.at("error"), "Database configuration incomplete. Please check environment variables.");
  const std::string details = json.at("details");
  for (const char* scheme : {"libsql://", "https://", "http://"}) EXPECT_NE(details.find(scheme), std::string::npos);
  EXPECT_EQ(r.body.find("secret-token-value"), std::string::npos);
  EXPECT_EQ(server.log().find("secret-token-value"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(server.selection_file()));
}

TEST_P(SetupApi, AlreadySetUpIs409) {
  ServerProcess server({}, backend_);
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  const auto before = read_file(server.selection_file());
  for (const char* asked : {"sqlite", "turso"}) {
    const auto r = post_setup(server, type_body(asked));
    EXPECT_EQ(r.status, 409) << asked;
    EXPECT_EQ(r.body, already_performed(type())) << asked;
  }
  EXPECT_EQ(read_file(server.selection_file()), before);
}

TEST_P(SetupApi, DbTypeInTheEnvironmentIs409WithThatType) {
  ServerProcess server(ServerProcess::Env{{"DB_TYPE", type()}}, backend_);
  server.start();
  for (const char* asked : {"sqlite", "turso"}) {
    const auto r = post_setup(server, type_body(asked));
    EXPECT_EQ(r.status, 409) << asked;
    EXPECT_EQ(r.body, already_performed(type())) << asked;
  }
  EXPECT_FALSE(std::filesystem::exists(server.selection_file()));
}

TEST_P(SetupApi, InvalidSelectionFileIs409AndIsNeverOverwritten) {
  ServerProcess server({}, backend_);
  const std::string garbage = "{\"type\": \"mysql\", \"note\": \"hand-edited\"}\n";
  write_file_atomically(server.selection_file(), garbage);
  server.start();
  EXPECT_EQ(server.request("GET", "/api/db/status").body, R"({"configured":true,"initialized":false,"dialect":null})");
  const auto r = post_setup(server, type_body(type()));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body,
            R"({"message":"Database selection file is invalid: \"type\" must be \"sqlite\" or \"turso\". Fix or remove persistent_data/db.selection.json.","database_type":null})");
  EXPECT_EQ(read_file(server.selection_file()), garbage);
  EXPECT_FALSE(has_migrations_table(*backend_));
}

TEST_P(SetupApi, CorruptSelectionFileAtStart) {
  ServerProcess server({}, backend_);
  write_file_atomically(server.selection_file(), "{ this is not json");
  server.start();
  EXPECT_EQ(server.request("GET", "/api/db/status").body, R"({"configured":true,"initialized":false,"dialect":null})");
  const auto r = post_setup(server, type_body(type()));
  EXPECT_EQ(r.status, 409);
  const auto json = nlohmann::ordered_json::parse(r.body);
  const std::string message = json.at("message");
  EXPECT_TRUE(message.starts_with("Database selection file is invalid: ")) << message;
  EXPECT_TRUE(message.ends_with(". Fix or remove persistent_data/db.selection.json.")) << message;
  EXPECT_TRUE(json.at("database_type").is_null());
  EXPECT_EQ(read_file(server.selection_file()), "{ this is not json");
  EXPECT_NE(server.log().find("invalid"), std::string::npos);
  EXPECT_FALSE(has_migrations_table(*backend_));
}

TEST_P(SetupApi, SetupTokenIsRequiredWhenSet) {
  ServerProcess server(ServerProcess::Env{{"DEPLOYSTACK_SETUP_TOKEN", "the-setup-token"}}, backend_);
  server.start();
  for (const Headers& headers :
       {Headers{}, Headers{{"Authorization", "Bearer wrong"}}, Headers{{"Authorization", "Bearer the-setup-tokenX"}},
        Headers{{"Authorization", "Bearer the-setup-toke"}}, Headers{{"Authorization", "the-setup-token"}},
        Headers{{"Authorization", "Basic the-setup-token"}}, Headers{{"Authorization", "Bearer "}}}) {
    const auto r = post_setup(server, type_body(type()), headers);
    EXPECT_EQ(r.status, 401) << (headers.empty() ? "none" : headers[0].second);
    EXPECT_EQ(r.body, kUnauthorized);
  }
  EXPECT_FALSE(std::filesystem::exists(server.selection_file()));
  EXPECT_FALSE(has_migrations_table(*backend_));
  EXPECT_EQ(server.log().find("the-setup-token"), std::string::npos);
  // Status needs no token.
  EXPECT_EQ(server.request("GET", "/api/db/status").status, 200);
  const auto ok = post_setup(server, type_body(type()), {{"Authorization", "Bearer the-setup-token"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, setup_success(type()));
}

TEST_P(SetupApi, RestartKeepsTheSelection) {
  ServerProcess server({}, backend_);
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  EXPECT_EQ(server.stop(), 0);
  server.start();
  EXPECT_EQ(server.request("GET", "/api/db/status").body, status_ready(server.database_type()));
  const auto again = server.setup_database();
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body, already_performed(server.database_type()));
}

// Against Turso this is about our single-flight, not the database: tursodb serves one client
// at a time whatever we send.
TEST_P(SetupApi, ConcurrentSetupCallsInitializeOnce) {
  ServerProcess server({}, backend_);
  server.start();
  constexpr int kCalls = 32;
  std::vector<HttpResponse> responses(kCalls);
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < kCalls; ++i) {
    clients.push_back(server.client());
    // Connected before the start signal, so the calls really overlap.
    ASSERT_EQ(clients.back()->request("GET", "/api/db/status").status, 200);
  }
  std::latch go(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      go.arrive_and_wait();
      responses[i] = clients[i]->request("POST", "/api/db/setup", type_body(type()));
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0, conflict = 0;
  for (const auto& r : responses) {
    if (r.status == 200) {
      ++ok;
      EXPECT_EQ(r.body, setup_success(type()));
    } else if (r.status == 409) {
      ++conflict;
      EXPECT_TRUE(r.body == already_performed(type()) ||
                  r.body == R"({"message":"Database setup is already in progress.","database_type":")" + type() + R"("})")
          << r.body;
    } else {
      ADD_FAILURE() << r.status << " " << r.body;
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflict, kCalls - 1);
  EXPECT_EQ(server.log_count("setup complete"), 1) << server.log();
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(server.dir() / "persistent_data")) {
    if (e.path().filename().string().find("db.selection.json") != std::string::npos) ++files;
  }
  EXPECT_EQ(files, 1);
  EXPECT_EQ(setup::read_selection(server.selection_file()).state, setup::SelectionRead::State::valid);
}

// The SQLite file itself: Turso has no file of ours to lose.
TEST(SetupApiSqlite, DeletedSqliteFileIsReportedAndNotRecreated) {
  ServerProcess server;
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  ASSERT_EQ(server.stop(), 0);
  const auto file = default_sqlite_file(server.dir());
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  server.start();
  EXPECT_EQ(server.request("GET", "/api/db/status").body, R"({"configured":true,"initialized":false,"dialect":"sqlite"})");
  EXPECT_NE(server.log().find("does not exist"), std::string::npos) << server.log();
  const auto r = server.setup_database();
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, already_performed("sqlite"));
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_EQ(server.stop(), 0);
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_P(SetupApi, CliStatusPrintsWhatTheRoutePrints) {
  ServerProcess server({}, backend_);
  const auto cli = [&] {
    const auto r = server.run_cli({"db", "status"});
    EXPECT_EQ(r.status, 0);
    return r.out;
  };
  EXPECT_EQ(cli(), kStatusBeforeSetup + "\n");
  server.start();
  EXPECT_EQ(cli(), server.request("GET", "/api/db/status").body + "\n");
  ASSERT_EQ(server.setup_database().status, 200);
  EXPECT_EQ(cli(), server.request("GET", "/api/db/status").body + "\n");
  EXPECT_EQ(cli(), status_ready(server.database_type()) + "\n");
  EXPECT_EQ(server.stop(), 0);
  EXPECT_EQ(cli(), status_ready(server.database_type()) + "\n");
  write_file_atomically(server.selection_file(), "[]");
  EXPECT_EQ(cli(), R"({"configured":true,"initialized":false,"dialect":null})"
                   "\n");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SetupApi, ::testing::Values(&sqlite_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(Turso, SetupApi, ::testing::Values(&turso_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV2, SetupApi, ::testing::Values(&hrana_v2_backend),
                         ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV3, SetupApi, ::testing::Values(&hrana_v3_backend),
                         ds::test::backend_name);

// Turso unreachable at setup (a closed loopback port): the documented 500 naming host:port and
// never the token, nothing persisted, and the same call succeeds once the server is there.
TEST(SetupApiTurso, UnreachableServerFailsCleanlyAndARetrySucceeds) {
  const auto backend = turso_backend();
  ServerProcess server({}, backend);
  TursoServer& turso = *backend->turso_server();
  const std::string host_port = "127.0.0.1:" + std::to_string(turso.port());
  turso.stop();
  server.start();

  const auto r = server.setup_database();
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.header("content-type"), kJsonContentType);
  const auto json = nlohmann::ordered_json::parse(r.body, nullptr, false);
  ASSERT_TRUE(json.is_object()) << r.body;
  std::vector<std::string> keys;
  for (const auto& [k, v] : json.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"error", "details"})) << r.body;
  EXPECT_EQ(json.value("error", ""), "Database initialization failed. Check server logs and configuration.");
  EXPECT_NE(json.value("details", "").find(host_port), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(kTursoTestToken), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(server.selection_file()));
  EXPECT_EQ(server.request("GET", "/api/db/status").body, kStatusBeforeSetup);

  turso.start();
  EXPECT_FALSE(has_migrations_table(*backend));  // the failed call wrote nothing there either
  const auto retry = server.setup_database();
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.body, setup_success("turso"));
  EXPECT_EQ(server.request("GET", "/api/db/status").body, status_ready("turso"));
  EXPECT_TRUE(std::filesystem::exists(server.selection_file()));
  EXPECT_EQ(server.stop(), 0);
  EXPECT_EQ(server.log().find(kTursoTestToken), std::string::npos) << server.log();
}

// Turso unreachable when the server starts: the status row of api.md, setup still refused as
// already performed, and the server connects by itself once Turso is back (issue 5, point 3).
TEST(SetupApiTurso, UnreachableAtStartIsReportedAndRecoveredInTheBackground) {
  const auto backend = turso_backend();
  ServerProcess server({}, backend);
  TursoServer& turso = *backend->turso_server();
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  ASSERT_EQ(server.stop(), 0);
  turso.stop();
  server.start();
  EXPECT_EQ(server.request("GET", "/api/db/status").body, R"({"configured":true,"initialized":false,"dialect":"turso"})");
  EXPECT_EQ(server.request("GET", "/api/projects").status, 503);
  const auto again = server.setup_database();
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body, already_performed("turso"));

  turso.start();
  ASSERT_TRUE(server.wait_for_log("database=turso unreachable; retrying in")) << server.log();
  ASSERT_TRUE(server.wait_for_log("database=turso initialized", std::chrono::seconds(40))) << server.log();
  EXPECT_EQ(server.request("GET", "/api/db/status").body, status_ready("turso"));
  EXPECT_EQ(server.request("GET", "/api/projects").status, 200);
  EXPECT_EQ(server.log().find(kTursoTestToken), std::string::npos);
}

// Turso stopped mid-run: requests get 503 with a clear error and nothing half-written; the
// server serves again by itself once Turso is back.
TEST(SetupApiTurso, StoppedMidRunAnswers503AndRecovers) {
  const auto backend = turso_backend();
  ServerProcess server({}, backend);
  TursoServer& turso = *backend->turso_server();
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  auto client = server.client();
  const auto created = client->request("POST", "/api/projects", R"({"name":"before the outage"})");
  ASSERT_EQ(created.status, 201) << created.body;

  turso.stop();
  const auto down = client->request("POST", "/api/projects", R"({"name":"during the outage"})");
  ASSERT_EQ(down.status, 503) << down.body;
  const auto json = nlohmann::json::parse(down.body, nullptr, false);
  ASSERT_TRUE(json.is_object()) << down.body;
  EXPECT_EQ(json.value("error", ""), "Service temporarily unavailable") << down.body;
  // The details say which server could not be reached.
  EXPECT_NE(json.value("details", "").find("127.0.0.1:" + std::to_string(turso.port())), std::string::npos)
      << down.body;
  EXPECT_EQ(down.body.find(kTursoTestToken), std::string::npos);
  EXPECT_EQ(client->request("GET", "/api/projects").status, 503);

  turso.start();
  const auto list = client->request("GET", "/api/projects");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto projects = nlohmann::json::parse(list.body);
  ASSERT_EQ(projects.size(), 1u) << list.body;  // the failed create left nothing behind
  EXPECT_EQ(projects[0]["name"], "before the outage");
  EXPECT_EQ(server.log().find(kTursoTestToken), std::string::npos);
}

}  // namespace
}  // namespace ds::test
