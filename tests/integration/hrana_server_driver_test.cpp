// The Turso driver against the suites' own spec-following Hrana server
// (tests/support/hrana_server.py, serving /v2 and /v3): real streams, `close`, true counts,
// sqld-like error codes, and connections that start with foreign keys OFF. What tursodb
// cannot show (turso_driver_test.cpp) is asserted here: transactions on their own streams,
// `close` accepted, concurrent transactions. The last tests talk raw HTTP to the server to
// prove it follows the spec where the driver does not look.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/error.hpp"
#include "db/turso/turso_database.hpp"
#include "support/hrana_test_server.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

using ds::Errc;
using ds::Error;
using ds::db::Blob;
using ds::db::Statement;
using ds::db::TursoDatabase;
using ds::db::Value;
using ds::test::HranaTestServer;
using nlohmann::json;

namespace {

constexpr const char* kToken = "hrana-test-token";

class HranaDriver : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ =
        std::make_unique<HranaTestServer>(dir_.path(), HranaTestServer::Options{.token = kToken});
    db_ = open();
    db_->execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, f REAL, b BLOB, n INTEGER)");
  }

  std::shared_ptr<TursoDatabase> open() {
    ds::TursoOptions o{.url = server_->url(), .token = ds::Secret(kToken)};
    o.first_backoff = std::chrono::milliseconds(5);
    return ds::db::open_turso(o);
  }

  std::int64_t count() {
    return std::get<std::int64_t>(db_->execute("SELECT count(*) FROM t").cells.at(0));
  }

  ds::test::TempDir dir_;
  std::unique_ptr<HranaTestServer> server_;
  std::shared_ptr<TursoDatabase> db_;
};

TEST_F(HranaDriver, CloseIsAcceptedAndKeptSending) {
  EXPECT_TRUE(db_->sends_close());
  db_->execute("SELECT 1");
  const Statement two[] = {{"INSERT INTO t (name) VALUES ('a')", {}},
                           {"INSERT INTO t (name) VALUES ('b')", {}}};
  db_->batch(two);
  db_->transaction(
      [](ds::db::Transaction& tx) { tx.execute("INSERT INTO t (name) VALUES ('c')"); });
  EXPECT_TRUE(db_->sends_close());
  EXPECT_EQ(count(), 3);
}

TEST_F(HranaDriver, ValuesRoundTripExactly) {
  const std::string text("nul\0inside \xc3\xa9", 13);
  const Blob blob{0, 1, 2, 255, 254};
  const Value row1[] = {std::string("a"), 1.5, blob, std::numeric_limits<std::int64_t>::min()};
  const Value row2[] = {text, -0.0, Blob{}, std::numeric_limits<std::int64_t>::max()};
  const Value row3[] = {std::string("c"), nullptr, nullptr, nullptr};
  for (const auto* row : {row1, row2, row3}) {
    db_->execute("INSERT INTO t (name, f, b, n) VALUES (?, ?, ?, ?)",
                 std::span<const Value>(row, 4));
  }
  const auto r = db_->execute("SELECT name, f, b, n FROM t ORDER BY id");
  ASSERT_EQ(r.row_count(), 3u);
  EXPECT_EQ(r.columns, (std::vector<std::string>{"name", "f", "b", "n"}));
  EXPECT_EQ(std::get<std::string>(r.row(0)[0]), "a");
  EXPECT_EQ(std::get<double>(r.row(0)[1]), 1.5);
  EXPECT_EQ(std::get<Blob>(r.row(0)[2]), blob);
  EXPECT_EQ(std::get<std::int64_t>(r.row(0)[3]), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(std::get<std::string>(r.row(1)[0]), text);
  EXPECT_EQ(std::get<std::int64_t>(r.row(1)[3]), std::numeric_limits<std::int64_t>::max());
  EXPECT_TRUE(ds::db::is_null(r.row(2)[1]));
  EXPECT_TRUE(ds::db::is_null(r.row(2)[2]));
  EXPECT_TRUE(ds::db::is_null(r.row(2)[3]));
}

TEST_F(HranaDriver, ErrorsAreClassifiedLikeSqlite) {
  const Value args[] = {std::string("dup")};
  db_->execute("INSERT INTO t (name) VALUES (?)", args);
  try {
    db_->execute("INSERT INTO t (name) VALUES (?)", args);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::constraint) << e.what();
  }
  try {
    db_->execute("SELEC 1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::misuse) << e.what();
  }
}

TEST_F(HranaDriver, BatchIsAtomicAndNamesTheFailingStatement) {
  std::vector<Statement> stmts;
  for (int i = 0; i < 20; ++i)
    stmts.push_back({"INSERT INTO t (name) VALUES (?)", {std::string("n") + std::to_string(i)}});
  const auto before = db_->requests_sent();
  EXPECT_EQ(db_->batch(stmts).size(), 20u);
  EXPECT_EQ(db_->requests_sent(), before + 1);
  const Statement failing[] = {{"INSERT INTO t (name) VALUES ('new')", {}},
                               {"INSERT INTO t (name) VALUES ('n7')", {}},  // duplicate
                               {"INSERT INTO t (name) VALUES ('later')", {}}};
  try {
    db_->batch(failing);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::constraint) << e.what();
    EXPECT_NE(std::string(e.what()).find("statement 2 of 3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(count(), 20) << "nothing of the failed batch stays";
  db_->execute("INSERT INTO t (name) VALUES ('after')");
  EXPECT_EQ(count(), 21);
}

TEST_F(HranaDriver, RowsAffectedAndRowidAreTrue) {
  const auto ins = db_->execute("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')");
  EXPECT_EQ(ins.rows_affected, 3);
  EXPECT_EQ(ins.last_insert_rowid, 3);
  EXPECT_EQ(db_->execute("UPDATE t SET n = 1 WHERE id >= 2").rows_affected, 2);
  EXPECT_EQ(db_->execute("DELETE FROM t WHERE id = 99").rows_affected, 0);
  EXPECT_EQ(db_->execute("INSERT INTO t (name) VALUES ('a') ON CONFLICT DO NOTHING").rows_affected,
            0);
  EXPECT_EQ(db_->execute("SELECT * FROM t").rows_affected, 0);
  const Statement both[] = {{"DELETE FROM t WHERE id = 1", {}}, {"UPDATE t SET n = 2", {}}};
  const auto results = db_->batch(both);
  EXPECT_EQ(results.at(0).rows_affected, 1);
  EXPECT_EQ(results.at(1).rows_affected, 2);
  db_->transaction([](ds::db::Transaction& tx) {
    const auto r = tx.execute("INSERT INTO t (name) VALUES ('z')");
    EXPECT_EQ(r.rows_affected, 1);
    EXPECT_EQ(r.last_insert_rowid, 4);
    EXPECT_EQ(tx.execute("DELETE FROM t").rows_affected, 3);
  });
}

// The server's connections start with foreign keys OFF (stock SQLite): the driver must turn
// them on for every stream it opens.
TEST_F(HranaDriver, ForeignKeysAreEnforcedAlthoughTheServerStartsWithThemOff) {
  db_->execute("CREATE TABLE parent (id TEXT PRIMARY KEY)");
  db_->execute("CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES parent (id))");
  const auto expect_refused = [](auto&& write) {
    try {
      write();
      ADD_FAILURE() << "an orphan row was stored";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::constraint) << e.what();
    }
  };
  expect_refused([&] { db_->execute("INSERT INTO child VALUES ('c1', 'nobody')"); });
  const Statement orphan[] = {{"INSERT INTO child VALUES ('c2', 'nobody')", {}}};
  expect_refused([&] { db_->batch(orphan); });
  expect_refused([&] {
    db_->transaction(
        [](ds::db::Transaction& tx) { tx.execute("INSERT INTO child VALUES ('c3', 'nobody')"); });
  });
  EXPECT_EQ(std::get<std::int64_t>(db_->execute("SELECT count(*) FROM child").cells.at(0)), 0);
}

// A COMMIT that fails (here a deferred foreign key, checked only at COMMIT) reports the
// constraint, says the transaction was rolled back, stores nothing, and leaves the database
// usable for the next write.
TEST_F(HranaDriver, AFailedCommitIsAConstraintErrorAndTheTransactionIsRolledBack) {
  db_->execute("CREATE TABLE parent (id TEXT PRIMARY KEY)");
  db_->execute("CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES parent (id))");
  try {
    db_->transaction([](ds::db::Transaction& tx) {
      tx.execute("PRAGMA defer_foreign_keys=ON");
      tx.execute("INSERT INTO child VALUES ('c1', 'nobody')");
    });
    ADD_FAILURE() << "the deferred violation was committed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::constraint) << e.what();
    EXPECT_NE(std::string(e.what()).find("the transaction was rolled back"), std::string::npos)
        << e.what();
  }
  db_->execute("INSERT INTO parent VALUES ('p1')");
  EXPECT_EQ(std::get<std::int64_t>(db_->execute("SELECT count(*) FROM child").cells.at(0)), 0);
  EXPECT_EQ(std::get<std::int64_t>(db_->execute("SELECT count(*) FROM parent").cells.at(0)), 1);
}

TEST_F(HranaDriver, TransactionCommitsAndAThrowingBodyRollsBack) {
  db_->transaction([&](ds::db::Transaction& tx) {
    tx.execute("INSERT INTO t (name) VALUES ('a')");
    // A real stream: the row is visible inside the transaction, not outside it yet.
    EXPECT_EQ(std::get<std::int64_t>(tx.execute("SELECT count(*) FROM t").cells.at(0)), 1);
    tx.execute("INSERT INTO t (name) VALUES ('b')");
  });
  EXPECT_EQ(count(), 2);
  EXPECT_THROW(db_->transaction([](ds::db::Transaction& tx) {
    tx.execute("INSERT INTO t (name) VALUES ('c')");
    throw std::runtime_error("the body gives up");
  }),
               std::runtime_error);
  EXPECT_EQ(count(), 2);
  EXPECT_THROW(db_->transaction([](ds::db::Transaction& tx) {
    tx.execute("INSERT INTO t (name) VALUES ('d')");
    tx.execute("INSERT INTO t (name) VALUES ('a')");  // constraint
  }),
               Error);
  EXPECT_EQ(count(), 2);
  db_->execute("INSERT INTO t (name) VALUES ('e')");
  EXPECT_EQ(count(), 3);
}

TEST_F(HranaDriver, ConcurrentTransactionsRunOnTheirOwnStreams) {
  constexpr int kThreads = 2;
  constexpr int kEach = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto db = open();
      for (int i = 0; i < kEach; ++i) {
        try {
          db->transaction([&](ds::db::Transaction& tx) {
            const Value name[] = {std::string("t") + std::to_string(t) + "-" + std::to_string(i)};
            tx.execute("INSERT INTO t (name) VALUES (?)", name);
            tx.execute("UPDATE t SET n = coalesce(n, 0) + 1 WHERE name = ?", name);
          });
        } catch (const std::exception& e) {
          ++failures;
          ADD_FAILURE() << e.what();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count(), kThreads * kEach);
  EXPECT_EQ(std::get<std::int64_t>(db_->execute("SELECT sum(n) FROM t").cells.at(0)),
            kThreads * kEach);
}

TEST_F(HranaDriver, StoppedServerIsUnavailableAndTheDriverRecovers) {
  db_->execute("INSERT INTO t (name) VALUES ('kept')");
  server_->stop();
  try {
    db_->execute("SELECT 1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::unavailable);
    EXPECT_EQ(std::string(e.what()).find(kToken), std::string::npos);
  }
  server_->start();
  EXPECT_EQ(count(), 1);
}

TEST_F(HranaDriver, WrongTokenIsAnAuthError) {
  ds::TursoOptions o{.url = server_->url(), .token = ds::Secret("wrong-token")};
  try {
    ds::db::open_turso(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::auth) << e.what();
    EXPECT_EQ(std::string(e.what()).find("wrong-token"), std::string::npos);
  }
}

// ---- the server itself, by raw HTTP: what the driver does not look at.

std::string pipeline(std::string_view requests, std::string_view baton = "null") {
  return std::string(R"({"baton":)") + std::string(baton) + R"(,"requests":[)" +
         std::string(requests) + "]}";
}

ds::test::Headers auth(const std::string& token = kToken) {
  return {{"Authorization", "Bearer " + token}};
}

TEST(HranaServer, FollowsTheSpecWhereTheDriverDoesNotLook) {
  ds::test::TempDir dir;
  HranaTestServer server(dir.path(), {.token = kToken});
  ds::test::HttpClient http("127.0.0.1", server.port());

  EXPECT_EQ(http.request("GET", "/health").status, 200);
  EXPECT_EQ(http.request("GET", "/nowhere").status, 404);
  const auto noauth = http.request("POST", "/v2/pipeline", pipeline(R"({"type":"close"})"));
  EXPECT_EQ(noauth.status, 401);
  EXPECT_NE(noauth.body.find("\"error\""), std::string::npos) << noauth.body;
  EXPECT_EQ(
      http.request("POST", "/v2/pipeline", pipeline(R"({"type":"close"})"), auth("wrong")).status,
      401);
  EXPECT_EQ(http.request("POST", "/v3/pipeline", "{not json", auth()).status, 400);

  // v3: get_autocommit follows BEGIN on the same stream, and the stream keeps its baton.
  const auto open = http.request(
      "POST", "/v3/pipeline",
      pipeline(R"({"type":"get_autocommit"},{"type":"execute","stmt":{"sql":"BEGIN"}},)"
               R"({"type":"get_autocommit"})"),
      auth());
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_TRUE(open.keep_alive);
  EXPECT_NE(open.body.find(R"({"type": "get_autocommit", "is_autocommit": true})"),
            std::string::npos)
      << open.body;
  EXPECT_NE(open.body.find(R"({"type": "get_autocommit", "is_autocommit": false})"),
            std::string::npos)
      << open.body;
  const auto b = open.body.find(R"("baton": ")");
  ASSERT_NE(b, std::string::npos) << open.body;
  const auto start = b + 10;
  const std::string baton = open.body.substr(start - 1, open.body.find('"', start) - start + 2);
  const auto closed =
      http.request("POST", "/v3/pipeline",
                   pipeline(R"({"type":"get_autocommit"},{"type":"close"})", baton), auth());
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_NE(closed.body.find(R"("baton": null)"), std::string::npos) << closed.body;
  EXPECT_NE(closed.body.find(R"("is_autocommit": false)"), std::string::npos) << closed.body;
  // A closed stream's baton is unknown from then on.
  const auto expired =
      http.request("POST", "/v3/pipeline", pipeline(R"({"type":"close"})", baton), auth());
  EXPECT_EQ(expired.status, 400);
  EXPECT_NE(expired.body.find("STREAM_EXPIRED"), std::string::npos) << expired.body;

  // v2 has no get_autocommit: a protocol error. A failing request does not stop the others.
  EXPECT_EQ(
      http.request("POST", "/v2/pipeline", pipeline(R"({"type":"get_autocommit"})"), auth()).status,
      400);
  const auto mixed = http.request(
      "POST", "/v2/pipeline",
      pipeline(
          R"({"type":"execute","stmt":{"sql":"SELECT 1; SELECT 2"}},{"type":"execute","stmt":{"sql":"SELECT 3"}},)"
          R"({"type":"close"})"),
      auth());
  ASSERT_EQ(mixed.status, 200);
  EXPECT_NE(mixed.body.find("SQL_MANY_STATEMENTS"), std::string::npos) << mixed.body;
  EXPECT_NE(mixed.body.find(R"({"type": "integer", "value": "3"})"), std::string::npos)
      << mixed.body;
  EXPECT_EQ(http.connections_opened(), 1) << "HTTP/1.1 keep-alive";
}

TEST(HranaServer, ServesOnlyTheVersionsItIsToldTo) {
  ds::test::TempDir dir3;
  HranaTestServer only3(dir3.path(), {.versions = "3"});
  ds::test::HttpClient h3("127.0.0.1", only3.port());
  const auto select = pipeline(R"({"type":"execute","stmt":{"sql":"SELECT 1"}},{"type":"close"})");
  EXPECT_EQ(h3.request("POST", "/v2/pipeline", select).status, 404);
  EXPECT_EQ(h3.request("POST", "/v3/pipeline", select).status, 200);

  ds::test::TempDir dir2;
  HranaTestServer only2(dir2.path(), {.versions = "2"});
  ds::test::HttpClient h2("127.0.0.1", only2.port());
  EXPECT_EQ(h2.request("POST", "/v3/pipeline", select).status, 404);
  EXPECT_EQ(h2.request("POST", "/v2/pipeline", select).status, 200);

  // The cursor is Hrana 3's: served only with v3, as newline-delimited entries (the spec's
  // "Cursors": the header, then step_begin / row... / step_end per step run).
  const std::string cursor =
      R"({"baton":null,"batch":{"steps":[{"stmt":{"sql":"SELECT 1 AS a UNION ALL SELECT 2"}}]}})";
  EXPECT_EQ(h2.request("POST", "/v3/cursor", cursor).status, 404);
  const auto answer = h3.request("POST", "/v3/cursor", cursor);
  ASSERT_EQ(answer.status, 200) << answer.body;
  std::vector<json> lines;
  std::istringstream in(answer.body);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 5u) << answer.body;
  EXPECT_TRUE(lines[0]["baton"].is_string());
  EXPECT_EQ(lines[1]["type"], "step_begin");
  EXPECT_EQ(lines[1]["cols"][0]["name"], "a");
  EXPECT_EQ(lines[2]["row"][0]["value"], "1");
  EXPECT_EQ(lines[3]["row"][0]["value"], "2");
  EXPECT_EQ(lines[4]["type"], "step_end");
}

}  // namespace
