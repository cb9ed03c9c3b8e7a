// The Turso driver's bounds, against scripted peers a real server cannot imitate: an answer
// larger than the limit, a peer that accepts and never answers, and the shutdown flag.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/shutdown.hpp"
#include "db/open_database.hpp"
#include "db/turso/turso_database.hpp"
#include "support/fake_http_server.hpp"
#include "support/silent_peer.hpp"

using ds::Errc;
using ds::Error;
using ds::TursoOptions;
using ds::db::TursoDatabase;
using ds::test::FakeHttpServer;
using ds::test::SilentPeer;

namespace {

constexpr const char* kToken = "tok-BOUNDS-SECRET";

std::string small_answer() {
  return R"({"baton":null,"base_url":null,"results":[{"type":"ok","response":{"type":"execute","result":{"cols":[],"rows":[]}}},{"type":"ok","response":{"type":"execute","result":{"cols":[{"name":"x"}],"rows":[[{"type":"integer","value":"1"}]],"affected_row_count":0,"last_insert_rowid":null}}},{"type":"ok","response":{"type":"close"}}]})";
}

}  // namespace

// Issue 12 item 2: an answer larger than the limit is dropped with a message naming the host,
// the limit and the variable, never buffered whole; the next call works; a read is not retried.
TEST(TursoBounds, AnAnswerOverTheLimitFailsNamingHostLimitAndVariable) {
  std::atomic<bool> huge{true};
  FakeHttpServer server([&](const FakeHttpServer::Request&) {
    if (huge.load()) return FakeHttpServer::Response{200, std::string(3u << 20, ' ')};
    return FakeHttpServer::Response{200, small_answer()};
  });
  TursoOptions o{.url = server.url(), .token = ds::Secret(kToken)};
  o.max_response_bytes = std::size_t{1} << 20;
  o.first_backoff = std::chrono::milliseconds(1);
  TursoDatabase db(o);
  try {
    db.execute("SELECT 1");
    FAIL() << "an oversized answer was accepted";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.code(), Errc::unavailable);
    EXPECT_NE(what.find("127.0.0.1:" + std::to_string(server.port())), std::string::npos) << what;
    EXPECT_NE(what.find("1 MiB"), std::string::npos) << what;
    EXPECT_NE(what.find("TURSO_MAX_RESPONSE_BYTES"), std::string::npos) << what;
    EXPECT_EQ(what.find(kToken), std::string::npos) << what;
  }
  EXPECT_EQ(server.requests().size(), 1u) << "the same question would get the same answer";
  huge = false;
  EXPECT_EQ(db.execute("SELECT 1").row_count(), 1u);
}

TEST(TursoBounds, MaxResponseBytesComesFromTheEnvironment) {
  auto c = ds::Config::from_env(ds::Env::from_map({{"TURSO_MAX_RESPONSE_BYTES", "1048576"}}));
  EXPECT_EQ(c.turso.max_response_bytes, 1048576u);
  EXPECT_EQ(ds::Config::from_env(ds::Env::from_map({})).turso.max_response_bytes, 16u << 20);
  for (const char* bad : {"0", "-1", "64MiB", "x"}) {
    EXPECT_THROW(ds::Config::from_env(ds::Env::from_map({{"TURSO_MAX_RESPONSE_BYTES", bad}})),
                 Error)
        << bad;
  }
}

// Issue 12 item 8: TURSO_TIMEOUT_MS bounds the whole call: a silent peer gets one attempt
// that uses the whole budget, not one full timeout per attempt.
TEST(TursoBounds, TheTotalTimeoutBoundsTheWholeCallAcrossRetries) {
  SilentPeer peer;
  TursoOptions o{.url = peer.url(), .token = ds::Secret(kToken)};
  o.total_timeout = std::chrono::milliseconds(300);
  o.max_attempts = 3;
  o.first_backoff = std::chrono::milliseconds(1);
  TursoDatabase db(o);
  try {
    db.execute("SELECT 1");  // a read: repeatable
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::unavailable);
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
  EXPECT_EQ(peer.accepted(), 1u) << "each retry got a fresh full timeout";
}

// Issue 12 item 8: a call hung on a silent peer ends when blocking I/O is abandoned (the
// server's grace period is over), with ds::Error(unavailable), long before its timeout.
// (The flag stays raised for the process: ctest runs each test in its own process.)
TEST(TursoBounds, AbandoningBlockingIoEndsAHungCall) {
  SilentPeer peer;
  TursoOptions o{.url = peer.url(), .token = ds::Secret(kToken)};
  o.total_timeout = std::chrono::minutes(10);
  TursoDatabase db(o);
  std::optional<Error> failure;
  std::thread call([&] {
    try {
      db.execute("SELECT 1");
    } catch (const Error& e) {
      failure = e;
    }
  });
  ASSERT_TRUE(peer.wait_accepted(1));
  ds::abandon_blocking_io();
  call.join();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code(), Errc::unavailable);
  EXPECT_NE(std::string(failure->what()).find("abandoned"), std::string::npos) << failure->what();
  EXPECT_EQ(peer.accepted(), 1u);
  // Later calls give up at once.
  EXPECT_THROW(db.execute("SELECT 1"), Error);
}

// Issue 12 item 10: a control character in the token would split the Authorization header.
TEST(TursoBounds, AControlCharacterInTheTokenIsRefusedWithoutPrintingIt) {
  for (const std::string& token :
       std::vector<std::string>{"abc\r\nX-Injected: 1", "abc\n", "a\tb", std::string("a\0b", 3)}) {
    ds::db::DatabaseTarget target;
    target.type = ds::DatabaseType::turso;
    target.turso.url = "http://127.0.0.1:1";
    target.turso.token = ds::Secret(token);
    const auto problem = ds::db::configuration_problem(target);
    ASSERT_TRUE(problem);
    EXPECT_NE(problem->find("TURSO_AUTH_TOKEN"), std::string::npos) << *problem;
    EXPECT_NE(problem->find("control character"), std::string::npos) << *problem;
    EXPECT_EQ(problem->find("Injected"), std::string::npos) << *problem;
    try {
      TursoDatabase db(TursoOptions{.url = "http://127.0.0.1:1", .token = ds::Secret(token)});
      FAIL();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::validation);
      EXPECT_EQ(std::string(e.what()).find("Injected"), std::string::npos) << e.what();
    }
  }
  try {
    TursoDatabase db(TursoOptions{.url = "http://127.0.0.1:1?authToken=abc%0D%0AX-Injected:1",
                                  .token = std::nullopt});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::validation);
    EXPECT_EQ(std::string(e.what()).find("Injected"), std::string::npos) << e.what();
  }
}

// Issue 12 item 10: SQLite paths whose data would not survive a restart are refused.
TEST(SqlitePathRules, InMemoryUriAndFolderPathsAreConfigurationProblems) {
  for (const char* path : {":memory:", "file::memory:", "file:x.db?mode=memory", "/tmp/", "/tmp"}) {
    ds::db::DatabaseTarget target;
    target.type = ds::DatabaseType::sqlite;
    target.sqlite_path = path;
    const auto problem = ds::db::configuration_problem(target);
    ASSERT_TRUE(problem) << path;
    EXPECT_NE(problem->find("SQLITE_DB_PATH"), std::string::npos) << *problem;
  }
  ds::db::DatabaseTarget fine;
  fine.type = ds::DatabaseType::sqlite;
  fine.sqlite_path = "persistent_data/database/deploystack.db";
  EXPECT_FALSE(ds::db::configuration_problem(fine));
}
