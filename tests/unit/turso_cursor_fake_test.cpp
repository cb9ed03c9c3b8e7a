// The driver's streaming reads against a scripted server: which endpoint a read goes to, the
// fallback to the pipeline on a server without `/v3/cursor` (found out once), and answers no
// real server gives on demand (a cursor that just ends, an oversized line).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "db/turso/turso_database.hpp"
#include "support/fake_http_server.hpp"

using ds::Errc;
using ds::Error;
using ds::db::RowView;
using ds::db::TursoDatabase;
using ds::test::FakeHttpServer;
using nlohmann::json;

namespace {

// A pipeline answer: every execute gets one row [7].
std::string pipeline_answer(const std::string& body) {
  json results = json::array();
  const json pipeline = json::parse(body);
  for (const auto& r : pipeline["requests"]) {
    if (r["type"] == "close") {
      results.push_back({{"type", "ok"}, {"response", {{"type", "close"}}}});
      continue;
    }
    json result = {{"cols", json::array({{{"name", "x"}}})},
                   {"rows", json::array({json::array({{{"type", "integer"}, {"value", "7"}}})})},
                   {"affected_row_count", 0}};
    json response = {{"type", "execute"}, {"result", result}};
    results.push_back({{"type", "ok"}, {"response", response}});
  }
  return json{{"baton", nullptr}, {"results", results}}.dump();
}

std::string cursor_answer(int rows, bool with_end = true) {
  std::string out = R"({"baton":"b","base_url":null})"
                    "\n"
                    R"({"type":"step_begin","step":0,"cols":[]})"
                    "\n"
                    R"({"type":"step_end","affected_row_count":0})"
                    "\n"
                    R"({"type":"step_begin","step":1,"cols":[{"name":"x"}]})"
                    "\n";
  for (int i = 0; i < rows; ++i)
    out += R"({"type":"row","row":[{"type":"integer","value":")" + std::to_string(i) + "\"}]}\n";
  if (with_end)
    out += R"({"type":"step_end","affected_row_count":0})"
           "\n";
  return out;
}

ds::TursoOptions options_for(const FakeHttpServer& server) {
  ds::TursoOptions o{.url = server.url(), .token = ds::Secret("t")};
  o.first_backoff = std::chrono::milliseconds(1);
  return o;
}

std::vector<std::string> targets(const FakeHttpServer& server) {
  std::vector<std::string> out;
  for (const auto& r : server.requests()) out.push_back(r.target);
  return out;
}

std::int64_t rows_read(TursoDatabase& db, const char* sql = "SELECT x FROM t") {
  std::int64_t n = 0;
  auto sink = ds::db::row_sink([&](const RowView&) { ++n; });
  db.stream(sql, {}, sink);
  return n;
}

}  // namespace

TEST(TursoCursorFake, AReadIsOneCursorRequest) {
  FakeHttpServer server([](const FakeHttpServer::Request& r) {
    if (r.target == "/v3/cursor") return FakeHttpServer::Response{200, cursor_answer(1000)};
    return FakeHttpServer::Response{404, "{}"};
  });
  TursoDatabase db(options_for(server));
  EXPECT_EQ(rows_read(db), 1000);
  EXPECT_EQ(targets(server), std::vector<std::string>{"/v3/cursor"});
  const auto body = json::parse(server.requests().at(0).body);
  EXPECT_TRUE(body["baton"].is_null());
  ASSERT_EQ(body["batch"]["steps"].size(), 2u);
  EXPECT_EQ(body["batch"]["steps"][0]["stmt"]["sql"], "PRAGMA foreign_keys=ON");
  EXPECT_EQ(body["batch"]["steps"][1]["stmt"]["sql"], "SELECT x FROM t");
}

TEST(TursoCursorFake, AServerWithoutTheCursorIsAskedOnceThenReadThroughThePipeline) {
  FakeHttpServer server([](const FakeHttpServer::Request& r) {
    if (r.target == "/v3/pipeline") return FakeHttpServer::Response{200, pipeline_answer(r.body)};
    return FakeHttpServer::Response{404, "Not Found", "text/plain"};
  });
  TursoDatabase db(options_for(server));
  EXPECT_TRUE(db.streams_reads());
  EXPECT_EQ(rows_read(db), 1);
  EXPECT_FALSE(db.streams_reads());
  EXPECT_EQ(rows_read(db), 1);
  EXPECT_EQ(targets(server),
            (std::vector<std::string>{"/v3/cursor", "/v3/pipeline", "/v3/pipeline"}));
}

TEST(TursoCursorFake, AHrana2ServerIsNeverAskedForTheCursor) {
  FakeHttpServer server([](const FakeHttpServer::Request& r) {
    if (r.target == "/v2/pipeline") return FakeHttpServer::Response{200, pipeline_answer(r.body)};
    return FakeHttpServer::Response{404, "{}"};
  });
  TursoDatabase db(options_for(server));
  db.execute("SELECT 1");  // finds out: v2 only
  EXPECT_FALSE(db.streams_reads());
  EXPECT_EQ(rows_read(db), 1);
  EXPECT_EQ(targets(server),
            (std::vector<std::string>{"/v3/pipeline", "/v2/pipeline", "/v2/pipeline"}));
}

TEST(TursoCursorFake, ACursorThatJustEndsIsAnErrorNotAShortRead) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    return FakeHttpServer::Response{200, cursor_answer(10, false)};
  });
  TursoDatabase db(options_for(server));
  try {
    rows_read(db);
    FAIL() << "a truncated read reported success";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::unavailable) << e.what();
    EXPECT_NE(std::string(e.what()).find("10 rows read"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server.requests().size(), 1u) << "rows went on: not repeated";
}

TEST(TursoCursorFake, ALineLargerThanTheLimitIsAnErrorWhateverTheWholeAnswerSize) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    std::string answer = cursor_answer(0, false);
    answer +=
        R"({"type":"row","row":[{"type":"text","value":")" + std::string(5000, 'x') + "\"}]}\n";
    return FakeHttpServer::Response{200, answer};
  });
  auto o = options_for(server);
  o.max_response_bytes = 4096;
  TursoDatabase db(o);
  try {
    rows_read(db);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::unavailable) << e.what();
    EXPECT_NE(std::string(e.what()).find("TURSO_MAX_RESPONSE_BYTES"), std::string::npos);
  }
  // Many small lines, together far over the limit: streamed, not refused.
  FakeHttpServer big([](const FakeHttpServer::Request&) {
    return FakeHttpServer::Response{200, cursor_answer(2000)};
  });
  auto ob = options_for(big);
  ob.max_response_bytes = 4096;
  TursoDatabase db2(ob);
  EXPECT_EQ(rows_read(db2), 2000);
}

TEST(TursoCursorFake, ARefusedReadIsRepeatedAndAnErrorStatusIsClassified) {
  int calls = 0;
  FakeHttpServer server([&calls](const FakeHttpServer::Request&) {
    if (++calls == 1) return FakeHttpServer::Response{503, R"({"error":"busy gateway"})"};
    if (calls == 2) return FakeHttpServer::Response{200, cursor_answer(3)};
    return FakeHttpServer::Response{401, R"({"error":"bad token"})"};
  });
  TursoDatabase db(options_for(server));
  EXPECT_EQ(rows_read(db), 3);
  EXPECT_EQ(calls, 2);
  try {
    rows_read(db);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::auth) << e.what();
  }
}
