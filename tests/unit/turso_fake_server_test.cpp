// The Turso driver against a scripted loopback server: protocol details that the local
// tursodb cannot show (auth, expired batons, close handling, retries, keep-alive).
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.hpp"
#include "db/turso/turso_database.hpp"
#include "support/fake_http_server.hpp"

using ds::Errc;
using ds::Error;
using ds::TursoOptions;
using ds::db::Result;
using ds::db::Statement;
using ds::db::TursoDatabase;
using ds::db::Value;
using ds::test::FakeHttpServer;
using nlohmann::json;

namespace {

constexpr const char* kToken = "tok-SECRET-123";

json ok_execute(int affected = 0, std::optional<std::int64_t> rowid = std::nullopt) {
  return {{"type", "ok"},
          {"response",
           {{"type", "execute"},
            {"result",
             {{"cols", json::array({{{"name", "x"}, {"decltype", nullptr}}})},
              {"rows", json::array({json::array({{{"type", "integer"}, {"value", "1"}}})})},
              {"affected_row_count", affected},
              {"last_insert_rowid", rowid ? json(std::to_string(*rowid)) : json(nullptr)}}}}}};
}

// The answer to the driver's counting query (write_counts.hpp): `affected` rows changed,
// `rowid` the last one inserted.
json counts_result(int affected, std::int64_t rowid) {
  const auto integer = [](std::int64_t v) {
    return json{{"type", "integer"}, {"value", std::to_string(v)}};
  };
  return {{"cols", json::array({{{"name", "changes()"}, {"decltype", nullptr}},
                                {{"name", "last_insert_rowid()"}, {"decltype", nullptr}}})},
          {"rows", json::array({json::array({integer(affected), integer(rowid)})})},
          {"affected_row_count", 0},
          {"last_insert_rowid", nullptr}};
}
bool is_counting(const json& stmt) {
  return stmt["sql"] == "SELECT changes(), last_insert_rowid()";
}

// Answers every request of a pipeline with success, like a complete sqld would.
json answer_all(const json& pipeline, const std::string& baton, int affected = 1) {
  json results = json::array();
  for (const auto& r : pipeline["requests"]) {
    if (r["type"] == "close") {
      results.push_back({{"type", "ok"}, {"response", {{"type", "close"}}}});
    } else if (r["type"] == "batch") {
      json step_results = json::array(), step_errors = json::array();
      for (std::size_t i = 0; i < r["batch"]["steps"].size(); ++i) {
        const bool undo = r["batch"]["steps"][i].contains("condition") &&
                          r["batch"]["steps"][i]["condition"]["type"] == "not";
        const auto& stmt = r["batch"]["steps"][i]["stmt"];
        step_results.push_back(undo ? json(nullptr)
                               : is_counting(stmt)
                                   ? counts_result(affected, 10 + i)
                                   : ok_execute(affected, 10 + i)["response"]["result"]);
        step_errors.push_back(nullptr);
      }
      results.push_back({{"type", "ok"},
                         {"response", {{"type", "batch"}, {"result", {{"step_results", step_results}, {"step_errors", step_errors}}}}}});
    } else if (is_counting(r["stmt"])) {
      results.push_back(
          {{"type", "ok"},
           {"response", {{"type", "execute"}, {"result", counts_result(affected, 42)}}}});
    } else {
      results.push_back(ok_execute(affected, 42));
    }
  }
  const bool closed = !pipeline["requests"].empty() && pipeline["requests"].back()["type"] == "close";
  return {{"baton", closed ? json(nullptr) : json(baton)}, {"base_url", nullptr}, {"results", results}};
}

TursoOptions options_for(const FakeHttpServer& server, std::string path = "") {
  TursoOptions o{.url = server.url() + path, .token = ds::Secret(kToken)};
  o.first_backoff = std::chrono::milliseconds(1);
  return o;
}

std::string host_of(const FakeHttpServer& s) { return "127.0.0.1:" + std::to_string(s.port()); }

}  // namespace

TEST(TursoFake, SendsBearerContentLengthAndNoExpect) {
  FakeHttpServer server([](const FakeHttpServer::Request& r) {
    return FakeHttpServer::Response{200, answer_all(json::parse(r.body), "b").dump()};
  });
  auto db = ds::db::open_turso(options_for(server, "/db/"));
  std::string big(100000, 'x');  // large enough for curl to consider 100-continue
  const Value args[] = {big};
  db->execute("SELECT length(?)", args);

  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  for (const auto& r : reqs) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/db/v3/pipeline");  // Hrana 3 first
    EXPECT_EQ(r.headers.at("authorization"), std::string("Bearer ") + kToken);
    EXPECT_EQ(r.headers.at("content-type"), "application/json");
    EXPECT_EQ(std::stoul(r.headers.at("content-length")), r.body.size());
    EXPECT_FALSE(r.headers.contains("expect"));
    EXPECT_FALSE(r.chunked);
    const auto j = json::parse(r.body);
    EXPECT_TRUE(j["baton"].is_null());
    EXPECT_EQ(j["requests"].back()["type"], "close");  // a one-shot stream closes itself
  }
  EXPECT_EQ(db->requests_sent(), 2u);
}

TEST(TursoFake, KeepsTheConnectionAlive) {
  FakeHttpServer server([](const FakeHttpServer::Request& r) {
    return FakeHttpServer::Response{200, answer_all(json::parse(r.body), "b").dump()};
  });
  auto db = ds::db::open_turso(options_for(server));
  for (int i = 0; i < 5; ++i) db->execute("SELECT 1");
  EXPECT_EQ(db->requests_sent(), 6u);
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(TursoFake, UnauthorizedIsAnAuthErrorNamingTheHostNotTheToken) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    return FakeHttpServer::Response{401, std::string(R"({"error":"bad token )") + kToken + "\"}"};
  });
  try {
    ds::db::open_turso(options_for(server));
    FAIL() << "open succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::auth);
    const std::string msg = e.what();
    EXPECT_NE(msg.find(host_of(server)), std::string::npos) << msg;
    EXPECT_NE(msg.find("401"), std::string::npos) << msg;
    EXPECT_EQ(msg.find(kToken), std::string::npos) << msg;
  }
  EXPECT_EQ(server.requests().size(), 1u);  // auth failures are not retried
}

TEST(TursoFake, RefusedConnectionIsUnavailableNamingTheHost) {
  std::string url;
  {
    FakeHttpServer gone([](const FakeHttpServer::Request&) { return FakeHttpServer::Response{}; });
    url = gone.url();
  }
  TursoOptions o{.url = url, .token = ds::Secret(kToken)};
  o.first_backoff = std::chrono::milliseconds(1);
  try {
    ds::db::open_turso(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::unavailable);
    EXPECT_NE(std::string(e.what()).find(url.substr(7)), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("refused"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(kToken), std::string::npos);
  }
}

TEST(TursoFake, TimeoutIsUnavailable) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the scripted slow server
    return FakeHttpServer::Response{};
  });
  TursoOptions o = options_for(server);
  o.total_timeout = std::chrono::milliseconds(100);
  o.max_attempts = 1;
  TursoDatabase db(o);
  try {
    db.execute("SELECT 1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::unavailable);
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
}

TEST(TursoFake, RejectedCloseIsRememberedAndNotSentAgain) {
  FakeHttpServer server([](const FakeHttpServer::Request& r) {
    const auto j = json::parse(r.body);
    for (const auto& q : j["requests"]) {
      if (q["type"] == "close") {
        return FakeHttpServer::Response{
            500, "Internal Server Error: Failed to parse pipeline request: unknown variant `close`, expected `execute` or `batch`",
            "text/plain", true};
      }
    }
    return FakeHttpServer::Response{200, answer_all(j, "b").dump(), "application/json", true};
  });
  TursoDatabase db(options_for(server));
  EXPECT_TRUE(db.sends_close());
  db.execute("INSERT INTO t VALUES (1)");  // a write: resent only because nothing ran
  EXPECT_EQ(db.requests_sent(), 2u);
  EXPECT_FALSE(db.sends_close());
  db.execute("SELECT 1");
  const Statement stmts[] = {{"INSERT INTO t VALUES (2)", {}}};
  db.batch(stmts);
  EXPECT_EQ(db.requests_sent(), 4u);
  const auto reqs = server.requests();
  EXPECT_EQ(reqs[1].body.find("close"), std::string::npos);
  EXPECT_EQ(reqs[3].body.find("\"close\""), std::string::npos);
}

TEST(TursoFake, ServersThatAcceptCloseKeepGettingIt) {
  FakeHttpServer server([](const FakeHttpServer::Request& r) {
    return FakeHttpServer::Response{200, answer_all(json::parse(r.body), "b").dump()};
  });
  TursoDatabase db(options_for(server));
  db.execute("SELECT 1");
  db.execute("SELECT 2");
  EXPECT_TRUE(db.sends_close());
  for (const auto& r : server.requests()) EXPECT_EQ(json::parse(r.body)["requests"].back()["type"], "close");
}

TEST(TursoFake, ExpiredBatonFailsTheTransactionClearlyWithoutRetry) {
  for (const int status : {400, 404}) {
    int n = 0;
    FakeHttpServer server([&](const FakeHttpServer::Request& r) {
      const auto j = json::parse(r.body);
      if (++n == 1) return FakeHttpServer::Response{200, answer_all(j, "baton-1").dump()};
      return FakeHttpServer::Response{status, R"({"message":"The stream has expired due to inactivity","code":"STREAM_EXPIRED"})"};
    });
    TursoDatabase db(options_for(server));
    bool body_finished = false;
    try {
      db.transaction([&](ds::db::Transaction& tx) {
        tx.execute("INSERT INTO t VALUES (1)");
        tx.execute("INSERT INTO t VALUES (2)");
        body_finished = true;
      });
      FAIL() << "transaction committed";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::unavailable);
      EXPECT_NE(std::string(e.what()).find("expired the stream"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(host_of(server)), std::string::npos) << e.what();
    }
    EXPECT_FALSE(body_finished);
    const auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 2u) << "no retry, no rollback on a dead stream";
    const auto first = json::parse(reqs[0].body);
    EXPECT_TRUE(first["baton"].is_null());
    EXPECT_EQ(first["requests"][0]["stmt"]["sql"], "PRAGMA foreign_keys=ON");  // before BEGIN
    EXPECT_EQ(first["requests"][1]["stmt"]["sql"], "BEGIN IMMEDIATE");
    EXPECT_NE(reqs[1].body.find("INSERT"), std::string::npos);
    EXPECT_EQ(reqs[1].body.find("foreign_keys"), std::string::npos) << "not again on the stream";
    EXPECT_EQ(json::parse(reqs[1].body)["baton"], "baton-1");
  }
}

TEST(TursoFake, TransactionPassesTheLatestBatonAndClosesWithCommit) {
  int n = 0;
  FakeHttpServer server([&](const FakeHttpServer::Request& r) {
    return FakeHttpServer::Response{200, answer_all(json::parse(r.body), "baton-" + std::to_string(++n)).dump()};
  });
  TursoDatabase db(options_for(server));
  db.transaction([](ds::db::Transaction& tx) {
    tx.execute("INSERT INTO t VALUES (1)");
    tx.execute("INSERT INTO t VALUES (2)");
  });
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  const auto last = json::parse(reqs[2].body);
  EXPECT_EQ(json::parse(reqs[1].body)["baton"], "baton-1");
  EXPECT_EQ(last["baton"], "baton-2");
  const auto& steps = last["requests"][0]["batch"]["steps"];
  EXPECT_EQ(steps[0]["stmt"]["sql"], "COMMIT");
  EXPECT_EQ(steps[1]["stmt"]["sql"], "ROLLBACK");
  EXPECT_EQ(steps[1]["condition"], json::parse(R"({"type":"not","cond":{"type":"ok","step":0}})"));
  EXPECT_EQ(last["requests"][1]["type"], "close");
}

// A COMMIT that fails (a deferred foreign key, a busy database) leaves the transaction open;
// on a server whose requests share one connection (no batons: closing ends nothing) every
// later request would run inside it. The ROLLBACK in the same batch ends it, and the error
// says so; when the server did not run it, the error does not claim it.
TEST(TursoFake, AFailedCommitIsRolledBackInTheSameRoundTrip) {
  for (const bool rollback_ran : {true, false}) {
    SCOPED_TRACE(rollback_ran ? "rollback ran" : "rollback did not run");
    FakeHttpServer server([&](const FakeHttpServer::Request& r) {
      auto pipeline = json::parse(r.body);
      auto answer = answer_all(pipeline, "b");
      answer["baton"] = nullptr;  // a server that keeps no streams
      for (std::size_t i = 0; i < pipeline["requests"].size(); ++i) {
        const auto& req = pipeline["requests"][i];
        if (req["type"] != "batch" || req["batch"]["steps"][0]["stmt"]["sql"] != "COMMIT") continue;
        auto& result = answer["results"][i]["response"]["result"];
        result["step_results"] = json::array(
            {nullptr, rollback_ran ? ok_execute()["response"]["result"] : json(nullptr)});
        result["step_errors"] = json::array({{{"message", "FOREIGN KEY constraint failed"},
                                              {"code", "SQLITE_CONSTRAINT_FOREIGNKEY"}},
                                             nullptr});
      }
      return FakeHttpServer::Response{200, answer.dump()};
    });
    TursoDatabase db(options_for(server));
    try {
      db.transaction([](ds::db::Transaction& tx) { tx.execute("INSERT INTO c VALUES (1, 99)"); });
      ADD_FAILURE() << "the failed COMMIT was not reported";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::constraint) << e.what();
      const std::string what = e.what();
      EXPECT_NE(what.find("COMMIT failed"), std::string::npos) << what;
      EXPECT_EQ(what.find("the transaction was rolled back") != std::string::npos, rollback_ran)
          << what;
    }
  }
}

TEST(TursoFake, ThrowingBodyRollsBackAndCloses) {
  FakeHttpServer server([&](const FakeHttpServer::Request& r) {
    return FakeHttpServer::Response{200, answer_all(json::parse(r.body), "b").dump()};
  });
  TursoDatabase db(options_for(server));
  EXPECT_THROW(db.transaction([](ds::db::Transaction& tx) {
    tx.execute("INSERT INTO t VALUES (1)");
    throw Error(Errc::conflict, "stop");
  }),
               Error);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  const auto last = json::parse(reqs[1].body);
  EXPECT_EQ(last["requests"][0]["stmt"]["sql"], "ROLLBACK");
  EXPECT_EQ(last["requests"][1]["type"], "close");
}

TEST(TursoFake, ReadsAreRetriedWritesAreNot) {
  FakeHttpServer server([](const FakeHttpServer::Request&) { return FakeHttpServer::Response{503, "busy"}; });
  TursoDatabase db(options_for(server));
  EXPECT_THROW(db.execute("SELECT 1"), Error);
  EXPECT_EQ(db.requests_sent(), 3u);
  EXPECT_THROW(db.execute("INSERT INTO t VALUES (1)"), Error);
  EXPECT_EQ(db.requests_sent(), 4u);
  const Statement stmts[] = {{"SELECT 1", {}}};
  EXPECT_THROW(db.batch(stmts), Error);
  EXPECT_EQ(db.requests_sent(), 5u);
}

TEST(TursoFake, ResultsMapLikeSqlite) {
  FakeHttpServer server([](const FakeHttpServer::Request& r) {
    return FakeHttpServer::Response{200, answer_all(json::parse(r.body), "b", 3).dump()};
  });
  TursoDatabase db(options_for(server));
  const Result ins = db.execute("INSERT INTO t VALUES (1)");
  EXPECT_EQ(ins.rows_affected, 3);
  EXPECT_EQ(ins.last_insert_rowid, 42);
  const Result upd = db.execute("UPDATE t SET a = 1");
  EXPECT_EQ(upd.rows_affected, 3);
  EXPECT_FALSE(upd.last_insert_rowid);
  const Result sel = db.execute("SELECT x FROM t");
  EXPECT_EQ(sel.rows_affected, 0);
  EXPECT_FALSE(sel.last_insert_rowid);
  EXPECT_EQ(sel.row_count(), 1u);
}

// A server reporting 0 rows and no rowid for every statement (tursodb 0.6 does): the counts
// come from the connection, asked in the same pipeline, never from the server's report.
TEST(TursoFake, CountsComeFromTheConnectionNotTheServersReport) {
  FakeHttpServer server([](const FakeHttpServer::Request& r) {
    auto answer = answer_all(json::parse(r.body), "b", 2);
    for (auto& res : answer["results"]) {
      if (res["response"]["type"] == "execute" && res["response"]["result"]["cols"].size() == 1)
        res["response"]["result"]["affected_row_count"] = 0;
    }
    return FakeHttpServer::Response{200, answer.dump()};
  });
  TursoDatabase db(options_for(server));
  const Result del = db.execute("DELETE FROM t WHERE a > 1");
  EXPECT_EQ(del.rows_affected, 2);
  EXPECT_FALSE(del.last_insert_rowid);
  const Result ins = db.execute("insert into t values (1), (2)");
  EXPECT_EQ(ins.rows_affected, 2);
  EXPECT_EQ(ins.last_insert_rowid, 42);
  const Result ddl = db.execute("CREATE TABLE u (a)");
  EXPECT_EQ(ddl.rows_affected, 0);
  EXPECT_EQ(db.requests_sent(), 3u);  // no extra round trip
  const auto reqs = server.requests();
  const auto requests = json::parse(reqs[0].body)["requests"];
  ASSERT_EQ(requests.size(), 4u);  // foreign keys on, the DELETE, its counts, close
  EXPECT_EQ(requests[2]["stmt"]["sql"], "SELECT changes(), last_insert_rowid()");
  EXPECT_EQ(json::parse(reqs[2].body)["requests"].size(), 3u);  // DDL: no counting
}

// A WITH clause is looked past: WITH ... SELECT is a read (no counting), WITH ... DELETE a
// write counted like any other.
TEST(TursoFake, AWithStatementIsCountedByTheStatementItIntroduces) {
  FakeHttpServer server([](const FakeHttpServer::Request& r) {
    return FakeHttpServer::Response{200, answer_all(json::parse(r.body), "b", 3).dump()};
  });
  TursoDatabase db(options_for(server));
  EXPECT_EQ(db.execute("WITH x AS (SELECT 1) SELECT * FROM x").rows_affected, 0);
  EXPECT_EQ(db.execute("WITH x AS (SELECT 1) DELETE FROM t WHERE a IN x").rows_affected, 3);
  const auto reqs = server.requests();
  EXPECT_EQ(json::parse(reqs[0].body)["requests"].size(), 3u);  // foreign keys on, the read, close
  EXPECT_EQ(json::parse(reqs[1].body)["requests"].size(), 4u);  // ... the delete, its counts ...
}

TEST(TursoFake, BatchIsOneRequestAndMapsTheFirstFailingStep) {
  FakeHttpServer server([](const FakeHttpServer::Request& r) {
    auto answer = answer_all(json::parse(r.body), "b");
    auto& result = answer["results"][1]["response"]["result"];
    // Steps: 0 BEGIN, 1 insert, 2 its counts, 3 insert, 4 its counts, 5 SELECT, 6 COMMIT, 7
    // ROLLBACK.
    if (r.body.find("fail-me") != std::string::npos) {
      result["step_results"][3] = nullptr;
      result["step_errors"][3] = {{"message", "UNIQUE constraint failed: t.a"},
                                  {"code", "SQLITE_CONSTRAINT_UNIQUE"}};
      for (int skipped : {4, 5, 6}) result["step_results"][skipped] = nullptr;
      result["step_results"][7] = ok_execute()["response"]["result"];  // ROLLBACK ran
    }
    return FakeHttpServer::Response{200, answer.dump()};
  });
  TursoDatabase db(options_for(server));
  const Statement ok[] = {{"INSERT INTO t VALUES (1)", {}}, {"INSERT INTO t VALUES (2)", {}}};
  const auto results = db.batch(ok);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].last_insert_rowid, 14);  // from step 4, the second insert's counts
  EXPECT_EQ(db.requests_sent(), 1u);

  const Statement bad[] = {{"INSERT INTO t VALUES (1)", {}}, {"INSERT INTO t VALUES ('fail-me')", {}}, {"SELECT 1", {}}};
  try {
    db.batch(bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::constraint);
    EXPECT_EQ(e.native_code(), 2067);
    EXPECT_NE(std::string(e.what()).find("statement 2 of 3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db.requests_sent(), 2u);
}

namespace {

// A server answering like answer_all, then `tweak`ing the answer: how a test scripts failures.
FakeHttpServer::Handler scripted(std::function<void(json&)> tweak) {
  return [tweak = std::move(tweak)](const FakeHttpServer::Request& r) {
    auto answer = answer_all(json::parse(r.body), "b");
    tweak(answer);
    return FakeHttpServer::Response{200, answer.dump()};
  };
}

json& batch_result(json& answer, std::size_t request) { return answer["results"][request]["response"]["result"]; }
void step_fails(json& result, std::size_t step, const std::string& message, const std::string& code) {
  result["step_results"][step] = nullptr;
  result["step_errors"][step] = {{"message", message}, {"code", code}};
}
void step_skipped(json& result, std::size_t step) { result["step_results"][step] = nullptr; }
void step_ran(json& result, std::size_t step) { result["step_results"][step] = ok_execute()["response"]["result"]; }

// Two statements: steps 0 BEGIN, 1 CREATE, 2 INSERT, 3 its counts, 4 probe, 5 check, 6 COMMIT,
// 7 ROLLBACK. The batch is request 1 of the pipeline.
const Statement kTwo[] = {{"CREATE TABLE t (a)", {}}, {"INSERT INTO t VALUES (2)", {}}};
constexpr std::size_t kProbe = 4, kCheck = 5, kCommit = 6, kRollback = 7;

}  // namespace

TEST(TursoFake, MigrationBatchIsOnePipelineWithForeignKeysOffAroundTheBatch) {
  FakeHttpServer server(scripted([](json&) {}));
  TursoDatabase db(options_for(server));
  const auto results = db.migration_batch(kTwo);
  EXPECT_EQ(results.size(), 2u);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto requests = json::parse(reqs[0].body)["requests"];
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0]["stmt"]["sql"], "PRAGMA foreign_keys=ON");  // every new stream
  EXPECT_EQ(requests[1]["type"], "execute");
  EXPECT_EQ(requests[1]["stmt"]["sql"], "PRAGMA foreign_keys=OFF");
  EXPECT_EQ(requests[2]["type"], "batch");
  EXPECT_EQ(requests[2]["batch"]["steps"].size(), 8u);
  EXPECT_EQ(requests[2]["batch"]["steps"][kProbe]["stmt"]["sql"],
            "SELECT 1 FROM pragma_foreign_key_check WHERE 0");
  EXPECT_EQ(requests[3]["type"], "execute");
  EXPECT_EQ(requests[3]["stmt"]["sql"], "PRAGMA foreign_keys=ON");
  EXPECT_EQ(requests[4]["type"], "close");
}

TEST(TursoFake, MigrationBatchCommitsWhenTheServerCannotCheckForeignKeys) {
  FakeHttpServer server(scripted([](json& a) {
    auto& b = batch_result(a, 2);
    step_fails(b, kProbe, "no such table: pragma_foreign_key_check", "SQLITE_ERROR");
    step_skipped(b, kCheck);  // ok(probe) is false; COMMIT runs since not(ok(probe))
  }));
  TursoDatabase db(options_for(server));
  EXPECT_EQ(db.migration_batch(kTwo).size(), 2u);
}

TEST(TursoFake, MigrationBatchFailedCheckIsAForeignKeyConstraintError) {
  FakeHttpServer server(scripted([](json& a) {
    auto& b = batch_result(a, 2);
    step_fails(b, kCheck, "malformed JSON", "SQLITE_ERROR");
    step_skipped(b, kCommit);
    step_ran(b, kRollback);
  }));
  TursoDatabase db(options_for(server));
  try {
    db.migration_batch(kTwo);
    FAIL() << "a failed check committed";
  } catch (const ds::db::BatchError& e) {
    FAIL() << "the check is no statement: " << e.what();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::constraint);
    EXPECT_NE(std::string(e.what()).find("foreign key"), std::string::npos) << e.what();
  }
}

TEST(TursoFake, MigrationBatchFailingStatementIsNamedByIndex) {
  FakeHttpServer server(scripted([](json& a) {
    auto& b = batch_result(a, 2);
    step_fails(b, 2, "UNIQUE constraint failed: t.a", "SQLITE_CONSTRAINT_UNIQUE");
    for (std::size_t s : {std::size_t{3}, kProbe, kCheck, kCommit}) step_skipped(b, s);
    step_ran(b, kRollback);
  }));
  TursoDatabase db(options_for(server));
  try {
    db.migration_batch(kTwo);
    FAIL();
  } catch (const ds::db::BatchError& e) {
    EXPECT_EQ(e.statement_index(), 1u);
    EXPECT_EQ(e.code(), Errc::constraint);
  }
}

TEST(TursoFake, MigrationBatchCommitSkippedWithoutErrorIsUnavailable) {
  FakeHttpServer server(scripted([](json& a) {
    auto& b = batch_result(a, 2);
    step_skipped(b, kCommit);
    step_ran(b, kRollback);
  }));
  TursoDatabase db(options_for(server));
  try {
    db.migration_batch(kTwo);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::unavailable);
  }
}

TEST(TursoFake, ExecuteEachIsOneRequestAndMapsEachStatementsError) {
  FakeHttpServer server(scripted([](json& a) {
    a["results"][2] = {
        {"type", "error"},
        {"error", {{"message", "no such table: missing"}, {"code", "SQLITE_ERROR"}}}};
  }));
  TursoDatabase db(options_for(server));
  const Statement statements[] = {{"SELECT 1", {}}, {"SELECT * FROM missing", {}}, {"SELECT 2", {}}};
  const auto outcomes = db.execute_each(statements);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_TRUE(outcomes[0].result);
  ASSERT_TRUE(outcomes[1].error);
  EXPECT_FALSE(outcomes[1].result);
  EXPECT_NE(std::string(outcomes[1].error->what()).find("no such table: missing"), std::string::npos);
  EXPECT_TRUE(outcomes[2].result);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto requests = json::parse(reqs[0].body)["requests"];
  ASSERT_EQ(requests.size(), 5u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(requests[i + 1]["stmt"]["sql"], statements[i].sql);
  EXPECT_EQ(requests[4]["type"], "close");
}

TEST(TursoFake, BatchFailingStatementIsNamedByIndex) {
  // Steps: 0 BEGIN, then each insert and its counts (1-8), 9 COMMIT, 10 ROLLBACK; statement
  // index 2 is step 5.
  FakeHttpServer server(scripted([](json& a) {
    auto& b = batch_result(a, 1);
    step_fails(b, 5, "UNIQUE constraint failed: t.a", "SQLITE_CONSTRAINT_UNIQUE");
    for (std::size_t s : {6, 7, 8, 9}) step_skipped(b, s);
    step_ran(b, 10);
  }));
  TursoDatabase db(options_for(server));
  const Statement four[] = {{"INSERT INTO t VALUES (1)", {}}, {"INSERT INTO t VALUES (2)", {}},
                            {"INSERT INTO t VALUES (3)", {}}, {"INSERT INTO t VALUES (4)", {}}};
  try {
    db.batch(four);
    FAIL();
  } catch (const ds::db::BatchError& e) {
    EXPECT_EQ(e.statement_index(), 2u);
    EXPECT_EQ(e.code(), Errc::constraint);
  }
}

// A server that cannot answer the counting query: the write stands, with the server's report.
TEST(TursoFake, AFailedCountingQueryKeepsTheServersReport) {
  FakeHttpServer server(scripted([](json& a) {
    a["results"][2] = {
        {"type", "error"},
        {"error", {{"message", "no such function: changes"}, {"code", "SQLITE_ERROR"}}}};
  }));
  TursoDatabase db(options_for(server));
  EXPECT_EQ(db.execute("UPDATE t SET a = 1").rows_affected, 1);
}

// An encrypted database: TURSO_ENCRYPTION_KEY travels as x-turso-encryption-key on every
// request (one-shot, batch, each pipeline of a transaction) and never into an error message.
TEST(TursoFake, TheEncryptionKeyIsSentOnEveryRequestAndNeverInAnError) {
  constexpr const char* kKey = "enc-KEY-SECRET-42";
  std::atomic<bool> refuse{false};
  FakeHttpServer server([&refuse](const FakeHttpServer::Request& r) {
    if (refuse) return FakeHttpServer::Response{400, R"({"error":"bad key enc-KEY-SECRET-42"})"};
    return FakeHttpServer::Response{200, answer_all(json::parse(r.body), "b").dump()};
  });
  auto options = options_for(server);
  options.encryption_key = ds::Secret(kKey);
  TursoDatabase db(options);
  db.execute("SELECT 1");
  const Statement one[] = {{"INSERT INTO t VALUES (1)", {}}};
  db.batch(one);
  db.transaction([](ds::db::Transaction& tx) {
    tx.execute("INSERT INTO t VALUES (2)");
    tx.execute("INSERT INTO t VALUES (3)");
  });
  const auto reqs = server.requests();
  ASSERT_GE(reqs.size(), 4u);
  for (const auto& r : reqs) EXPECT_EQ(r.headers.at("x-turso-encryption-key"), kKey);

  refuse = true;
  try {
    db.execute("SELECT 1");
    FAIL() << "a refused request succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find(kKey), std::string::npos) << e.what();
  }
}

TEST(TursoFake, NoEncryptionKeyNoHeader) {
  FakeHttpServer server([](const FakeHttpServer::Request& r) {
    return FakeHttpServer::Response{200, answer_all(json::parse(r.body), "b").dump()};
  });
  TursoDatabase db(options_for(server));
  db.execute("SELECT 1");
  EXPECT_FALSE(server.requests().at(0).headers.contains("x-turso-encryption-key"));
}

namespace {

// A server with only the given pipeline path(s); 404 elsewhere. `paths` may change mid-test.
FakeHttpServer::Handler speaking(std::shared_ptr<std::atomic<int>> versions) {
  return [versions](const FakeHttpServer::Request& r) {
    const int v = versions->load();  // bit 2: /v2, bit 3: /v3
    const bool ok = (r.target == "/v2/pipeline" && (v & 4) != 0) ||
                    (r.target == "/v3/pipeline" && (v & 8) != 0);
    if (!ok) return FakeHttpServer::Response{404, "Not Found", "text/plain"};
    return FakeHttpServer::Response{200, answer_all(json::parse(r.body), "b").dump()};
  };
}

std::vector<std::string> targets(const FakeHttpServer& server) {
  std::vector<std::string> out;
  for (const auto& r : server.requests()) out.push_back(r.target);
  return out;
}

}  // namespace

TEST(TursoFake, AServerWithOnlyHrana3IsSpokenTo) {
  auto versions = std::make_shared<std::atomic<int>>(8);
  FakeHttpServer server(speaking(versions));
  TursoDatabase db(options_for(server));
  db.execute("SELECT 1");
  const Statement one[] = {{"INSERT INTO t VALUES (1)", {}}};
  db.batch(one);
  db.transaction([](ds::db::Transaction& tx) { tx.execute("INSERT INTO t VALUES (2)"); });
  for (const auto& t : targets(server)) EXPECT_EQ(t, "/v3/pipeline");
}

// Found out once per server: one 404, then the remembered path, for every kind of call.
TEST(TursoFake, AServerWithOnlyHrana2CostsOne404ThenIsRemembered) {
  auto versions = std::make_shared<std::atomic<int>>(4);
  FakeHttpServer server(speaking(versions));
  TursoDatabase db(options_for(server));
  db.execute("SELECT 1");
  const Statement one[] = {{"INSERT INTO t VALUES (1)", {}}};
  db.batch(one);
  db.transaction([](ds::db::Transaction& tx) {
    tx.execute("INSERT INTO t VALUES (2)");
    tx.execute("INSERT INTO t VALUES (3)");
  });
  const auto t = targets(server);
  ASSERT_EQ(t.size(), 6u);  // 404, execute, batch, the transaction: two statements and COMMIT
  EXPECT_EQ(t[0], "/v3/pipeline");
  for (std::size_t i = 1; i < t.size(); ++i) EXPECT_EQ(t[i], "/v2/pipeline") << i;
}

// A 404 on the remembered path re-checks: the server was upgraded to Hrana 3 only.
TEST(TursoFake, A404OnTheRememberedPathReChecksTheOtherOne) {
  auto versions = std::make_shared<std::atomic<int>>(4);
  FakeHttpServer server(speaking(versions));
  TursoDatabase db(options_for(server));
  db.execute("SELECT 1");
  versions->store(8);
  db.execute("INSERT INTO t VALUES (1)");  // a write: the 404 ran nothing, so it is sent again
  const auto t = targets(server);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[2], "/v2/pipeline");
  EXPECT_EQ(t[3], "/v3/pipeline");
}

TEST(TursoFake, AServerWithNeitherPipelineIsUnavailableNamingTheHost) {
  auto versions = std::make_shared<std::atomic<int>>(0);
  FakeHttpServer server(speaking(versions));
  TursoDatabase db(options_for(server));
  try {
    db.execute("SELECT 1");
    FAIL() << "no pipeline endpoint, yet it succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(host_of(server)), std::string::npos) << e.what();
  }
  EXPECT_EQ(server.requests().size(), 2u) << "each path tried once, no more";
}
