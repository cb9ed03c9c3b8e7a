// POST /api/db/setup and GET /api/db/status against the real binary: every row of the setup
// table of shared/spec/api.md.
#include <gtest/gtest.h>

#include <fstream>
#include <latch>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/time.hpp"
#include "setup/selection_file.hpp"
#include "support/server_process.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

const std::string kTursoIncomplete =
    R"({"error":"Database configuration incomplete. Please check environment variables.","details":"Turso configuration incomplete. Required: TURSO_DATABASE_URL, TURSO_AUTH_TOKEN"})";

HttpResponse post_setup(const ServerProcess& server, const std::string& body, const Headers& headers = {}) {
  return server.request("POST", "/api/db/setup", body, headers);
}

TEST(SetupApi, StatusBeforeAndAfterSetup) {
  ServerProcess server;
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

TEST(SetupApi, SqliteSetupWritesTheSelectionAndTheDatabase) {
  ServerProcess server;
  server.start();
  ASSERT_EQ(post_setup(server, R"({"type":"sqlite"})").status, 200);
  EXPECT_TRUE(std::filesystem::exists(default_sqlite_file(server.dir())));
  const auto json = nlohmann::json::parse(read_file(server.selection_file()));
  EXPECT_EQ(json.at("type"), "sqlite");
  EXPECT_EQ(json.at("version"), "1.0");
  EXPECT_TRUE(parse_iso8601(json.at("selectedAt").get<std::string>()));
  // No temp file left behind.
  for (const auto& e : std::filesystem::directory_iterator(server.dir() / "persistent_data")) {
    EXPECT_FALSE(e.path().filename().string().starts_with(".db.selection.json")) << e.path();
  }
}

TEST(SetupApi, UnknownExtraPropertiesAreIgnored) {
  ServerProcess server;
  server.start();
  const auto r = post_setup(server, R"({"type":"sqlite","extra":{"x":[1,2]},"n":1})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, setup_success("sqlite"));
}

TEST(SetupApi, MissingOrInvalidTypeIs400) {
  ServerProcess server;
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
}

TEST(SetupApi, MalformedJsonIs400) {
  ServerProcess server;
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

TEST(SetupApi, TursoWithoutBothVariablesIs400) {
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

TEST(SetupApi, TursoWithAnUnsupportedSchemeIs400) {
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

TEST(SetupApi, AlreadySetUpIs409) {
  ServerProcess server;
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  const auto before = read_file(server.selection_file());
  for (const char* type : {"sqlite", "turso"}) {
    const auto r = post_setup(server, std::string(R"({"type":")") + type + R"("})");
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(r.body, already_performed(server.database_type()));
  }
  EXPECT_EQ(read_file(server.selection_file()), before);
}

TEST(SetupApi, DbTypeInTheEnvironmentIs409WithThatType) {
  for (const char* type : {"sqlite", "turso"}) {
    SCOPED_TRACE(type);
    ServerProcess server(ServerProcess::Env{{"DB_TYPE", type}});
    server.start();
    const auto r = post_setup(server, R"({"type":"sqlite"})");
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(r.body, already_performed(type));
    EXPECT_FALSE(std::filesystem::exists(server.selection_file()));
  }
}

TEST(SetupApi, InvalidSelectionFileIs409AndIsNeverOverwritten) {
  ServerProcess server;
  const std::string garbage = "{\"type\": \"mysql\", \"note\": \"hand-edited\"}\n";
  write_file_atomically(server.selection_file(), garbage);
  server.start();
  EXPECT_EQ(server.request("GET", "/api/db/status").body, R"({"configured":true,"initialized":false,"dialect":null})");
  const auto r = post_setup(server, R"({"type":"sqlite"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body,
            R"({"message":"Database selection file is invalid: \"type\" must be \"sqlite\" or \"turso\". Fix or remove persistent_data/db.selection.json.","database_type":null})");
  EXPECT_EQ(read_file(server.selection_file()), garbage);
  EXPECT_FALSE(std::filesystem::exists(default_sqlite_file(server.dir())));
}

TEST(SetupApi, CorruptSelectionFileAtStart) {
  ServerProcess server;
  write_file_atomically(server.selection_file(), "{ this is not json");
  server.start();
  EXPECT_EQ(server.request("GET", "/api/db/status").body, R"({"configured":true,"initialized":false,"dialect":null})");
  const auto r = post_setup(server, R"({"type":"sqlite"})");
  EXPECT_EQ(r.status, 409);
  const auto json = nlohmann::ordered_json::parse(r.body);
  const std::string message = json.at("message");
  EXPECT_TRUE(message.starts_with("Database selection file is invalid: ")) << message;
  EXPECT_TRUE(message.ends_with(". Fix or remove persistent_data/db.selection.json.")) << message;
  EXPECT_TRUE(json.at("database_type").is_null());
  EXPECT_EQ(read_file(server.selection_file()), "{ this is not json");
  EXPECT_NE(server.log().find("invalid"), std::string::npos);
}

TEST(SetupApi, SetupTokenIsRequiredWhenSet) {
  ServerProcess server(ServerProcess::Env{{"DEPLOYSTACK_SETUP_TOKEN", "the-setup-token"}});
  server.start();
  for (const Headers& headers :
       {Headers{}, Headers{{"Authorization", "Bearer wrong"}}, Headers{{"Authorization", "Bearer the-setup-tokenX"}},
        Headers{{"Authorization", "Bearer the-setup-toke"}}, Headers{{"Authorization", "the-setup-token"}},
        Headers{{"Authorization", "Basic the-setup-token"}}, Headers{{"Authorization", "Bearer "}}}) {
    const auto r = post_setup(server, R"({"type":"sqlite"})", headers);
    EXPECT_EQ(r.status, 401) << (headers.empty() ? "none" : headers[0].second);
    EXPECT_EQ(r.body, kUnauthorized);
  }
  EXPECT_FALSE(std::filesystem::exists(server.selection_file()));
  EXPECT_EQ(server.log().find("the-setup-token"), std::string::npos);
  // Status needs no token.
  EXPECT_EQ(server.request("GET", "/api/db/status").status, 200);
  const auto ok = post_setup(server, R"({"type":"sqlite"})", {{"Authorization", "Bearer the-setup-token"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, setup_success("sqlite"));
}

TEST(SetupApi, RestartKeepsTheSelection) {
  ServerProcess server;
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  EXPECT_EQ(server.stop(), 0);
  server.start();
  EXPECT_EQ(server.request("GET", "/api/db/status").body, status_ready(server.database_type()));
  const auto again = server.setup_database();
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body, already_performed(server.database_type()));
}

TEST(SetupApi, ConcurrentSetupCallsInitializeOnce) {
  ServerProcess server;
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
      responses[i] = clients[i]->request("POST", "/api/db/setup", R"({"type":"sqlite"})");
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0, conflict = 0;
  for (const auto& r : responses) {
    if (r.status == 200) {
      ++ok;
      EXPECT_EQ(r.body, setup_success("sqlite"));
    } else if (r.status == 409) {
      ++conflict;
      EXPECT_TRUE(r.body == already_performed("sqlite") ||
                  r.body == R"({"message":"Database setup is already in progress.","database_type":"sqlite"})")
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

TEST(SetupApi, DeletedSqliteFileIsReportedAndNotRecreated) {
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

TEST(SetupApi, CliStatusPrintsWhatTheRoutePrints) {
  ServerProcess server;
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

}  // namespace
}  // namespace ds::test
