#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "db/turso/hrana_codec.hpp"
#include "db/turso/hrana_errors.hpp"

using namespace ds::db;
using namespace ds::db::hrana;
using nlohmann::json;

namespace {

json request_json(const std::vector<Value>& args) {
  PipelineWriter w(std::nullopt);
  w.execute("SELECT ?", args);
  return json::parse(w.finish());
}

PipelineResponse decode_rows(const std::string& rows, const std::string& extra = "") {
  return decode_pipeline_response(R"({"baton":null,"results":[{"type":"ok","response":{"type":"execute","result":)"
                                  R"({"cols":[{"name":"v","decltype":null}],"rows":)" +
                                  rows + R"(,"affected_row_count":0,"last_insert_rowid":null)" + extra + "}}}]}");
}

Value single(const std::string& value_json) {
  auto resp = decode_rows("[[" + value_json + "]]");
  return resp.results.at(0).result.cells.at(0);
}

}  // namespace

TEST(HranaCodec, Int64BoundsTravelAsDecimalStrings) {
  const auto j = request_json({std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()});
  const auto& args = j["requests"][0]["stmt"]["args"];
  EXPECT_EQ(args[0], json({{"type", "integer"}, {"value", "-9223372036854775808"}}));
  EXPECT_EQ(args[1], json({{"type", "integer"}, {"value", "9223372036854775807"}}));

  EXPECT_EQ(std::get<std::int64_t>(single(R"({"type":"integer","value":"-9223372036854775808"})")),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(std::get<std::int64_t>(single(R"({"type":"integer","value":"9223372036854775807"})")),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_THROW(single(R"({"type":"integer","value":"9223372036854775808"})"), ds::Error);
  EXPECT_THROW(single(R"({"type":"integer","value":"12x"})"), ds::Error);
}

TEST(HranaCodec, FloatsAreJsonNumbersAndNeverNaN) {
  const auto j = request_json({1.5, 2.0, -0.25e-300});
  const auto& args = j["requests"][0]["stmt"]["args"];
  EXPECT_EQ(args[0]["value"].get<double>(), 1.5);
  EXPECT_TRUE(args[1]["value"].is_number_float());
  EXPECT_EQ(args[2]["value"].get<double>(), -0.25e-300);
  EXPECT_THROW(request_json({std::nan("")}), ds::Error);
  EXPECT_THROW(request_json({std::numeric_limits<double>::infinity()}), ds::Error);
  try {
    request_json({std::nan("")});
  } catch (const ds::Error& e) {
    EXPECT_EQ(e.code(), ds::Errc::misuse);
  }
}

TEST(HranaCodec, NullFloatReadsBackAsNaN) {
  EXPECT_TRUE(std::isnan(std::get<double>(single(R"({"type":"float","value":null})"))));
  EXPECT_EQ(std::get<double>(single(R"({"type":"float","value":3})")), 3.0);
}

TEST(HranaCodec, TextWithNulBytesRoundTrips) {
  const std::string text("a\0b\x01\"\\\xc3\xa9", 8);
  const auto j = request_json({text});
  EXPECT_EQ(j["requests"][0]["stmt"]["args"][0]["value"].get<std::string>(), text);
  EXPECT_EQ(std::get<std::string>(single(R"({"type":"text","value":"a\u0000b"})")), std::string("a\0b", 3));
  EXPECT_THROW(request_json({std::string("\xff")}), ds::Error);  // not UTF-8: a blob's job
}

TEST(HranaCodec, BlobsArePaddedOutAndEitherWayIn) {
  const auto j = request_json({Blob{0, 1}});
  EXPECT_EQ(j["requests"][0]["stmt"]["args"][0], json({{"type", "blob"}, {"base64", "AAE="}}));
  EXPECT_EQ(std::get<Blob>(single(R"({"type":"blob","base64":"AAE="})")), (Blob{0, 1}));
  EXPECT_EQ(std::get<Blob>(single(R"({"type":"blob","base64":"AAE"})")), (Blob{0, 1}));
  EXPECT_EQ(std::get<Blob>(single(R"({"type":"blob","base64":""})")), Blob{});
  EXPECT_THROW(single(R"({"type":"blob","base64":"A*=="})"), ds::Error);
  for (std::size_t n = 0; n < 70; ++n) {
    Blob b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 37 + 11);
    const json arg = request_json({b})["requests"][0]["stmt"]["args"][0];
    EXPECT_EQ(std::get<Blob>(single(arg.dump())), b);
  }
}

TEST(HranaCodec, UnknownFieldsAreIgnoredEverywhere) {
  const auto resp = decode_pipeline_response(
      R"({"baton":"b1","future":{"x":1},"results":[{"type":"ok","extra":1,"response":{"type":"execute","new":[],)"
      R"("result":{"cols":[{"name":"id","decltype":"INTEGER","more":true}],"rows":[[{"type":"integer","value":"7","hint":1}]],)"
      R"("affected_row_count":1,"last_insert_rowid":"7","rows_read":1,"rows_written":1,"query_duration_ms":0.1,)"
      R"("replication_index":"5"}}}]})");
  EXPECT_EQ(resp.baton, "b1");
  EXPECT_FALSE(resp.base_url);  // missing means null
  const auto& r = resp.results.at(0).result;
  EXPECT_EQ(r.columns, std::vector<std::string>{"id"});
  EXPECT_EQ(std::get<std::int64_t>(r.cells.at(0)), 7);
  EXPECT_EQ(r.rows_affected, 1);
  EXPECT_EQ(r.last_insert_rowid, 7);
}

TEST(HranaCodec, MalformedAnswersAreUnavailableErrors) {
  for (const char* body : {"", "not json", "[]", R"({"results":{}})", R"({"results":[{"type":"weird"}]})",
                           R"({"results":[{"type":"ok","response":{"type":"execute","result":{"cols":[{"name":"a"}],"rows":[[]]}}}]})"}) {
    try {
      decode_pipeline_response(body);
      ADD_FAILURE() << body;
    } catch (const ds::Error& e) {
      EXPECT_EQ(e.code(), ds::Errc::unavailable) << body;
    }
  }
}

TEST(HranaCodec, BatchIsAtomicWithNotOkConditions) {
  PipelineWriter w(std::string("b"));
  const std::vector<Statement> stmts{{"INSERT INTO t VALUES (?)", {std::int64_t{1}}}, {"DELETE FROM t", {}}};
  const std::string_view undo[] = {"ROLLBACK"};
  w.atomic_batch(ds::db::hrana::steps_of(stmts), "BEGIN IMMEDIATE", "COMMIT", undo);
  w.close();
  const auto j = json::parse(w.finish());
  EXPECT_EQ(j["baton"], "b");
  const auto& steps = j["requests"][0]["batch"]["steps"];
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[0]["stmt"]["sql"], "BEGIN IMMEDIATE");
  EXPECT_FALSE(steps[0].contains("condition"));
  EXPECT_EQ(steps[1]["condition"], json({{"type", "ok"}, {"step", 0}}));
  EXPECT_EQ(steps[2]["condition"], json({{"type", "ok"}, {"step", 1}}));
  EXPECT_EQ(steps[3]["stmt"]["sql"], "COMMIT");
  EXPECT_EQ(steps[3]["condition"], json({{"type", "ok"}, {"step", 2}}));
  EXPECT_EQ(steps[4]["stmt"]["sql"], "ROLLBACK");
  EXPECT_EQ(steps[4]["condition"], json::parse(R"({"type":"not","cond":{"type":"ok","step":3}})"));
  EXPECT_EQ(j["requests"][1], json({{"type", "close"}}));
}

TEST(HranaCodec, VerifiedBatchChecksBeforeCommitAndCommitsWhenTheCheckCannotRun) {
  PipelineWriter w(std::nullopt);
  const std::vector<Statement> stmts{{"INSERT INTO t VALUES (1)", {}}, {"DELETE FROM t", {}}};
  const std::string_view undo[] = {"ROLLBACK"};
  const PipelineWriter::Verification verify{"PROBE", "CHECK"};
  w.atomic_batch(ds::db::hrana::steps_of(stmts), "BEGIN IMMEDIATE", "COMMIT", undo, &verify);
  const auto steps = json::parse(w.finish())["requests"][0]["batch"]["steps"];
  ASSERT_EQ(steps.size(), 7u);  // begin, 2 statements, probe, check, commit, rollback
  const auto ok = [](int step) { return json({{"type", "ok"}, {"step", step}}); };
  const auto not_ = [](json cond) { return json({{"type", "not"}, {"cond", cond}}); };
  EXPECT_EQ(steps[2]["condition"], ok(1));
  EXPECT_EQ(steps[3]["stmt"]["sql"], "PROBE");
  EXPECT_EQ(steps[3]["condition"], ok(2));
  EXPECT_EQ(steps[4]["stmt"]["sql"], "CHECK");
  EXPECT_EQ(steps[4]["condition"], ok(3));
  EXPECT_EQ(steps[5]["stmt"]["sql"], "COMMIT");
  EXPECT_EQ(steps[5]["condition"],
            json({{"type", "and"},
                  {"conds", {ok(2), {{"type", "or"}, {"conds", {ok(4), not_(ok(3))}}}}}}));
  EXPECT_EQ(steps[6]["stmt"]["sql"], "ROLLBACK");
  EXPECT_EQ(steps[6]["condition"], not_(ok(5)));
}

TEST(HranaCodec, BatchWithoutVerificationIsUnchanged) {
  const std::vector<Statement> stmts{{"INSERT INTO t VALUES (?)", {std::int64_t{1}}}};
  const std::string_view undo[] = {"ROLLBACK"};
  PipelineWriter plain(std::nullopt), explicit_null(std::nullopt);
  plain.atomic_batch(ds::db::hrana::steps_of(stmts), "BEGIN IMMEDIATE", "COMMIT", undo);
  explicit_null.atomic_batch(ds::db::hrana::steps_of(stmts), "BEGIN IMMEDIATE", "COMMIT", undo,
                             nullptr);
  const std::string text = plain.finish();
  EXPECT_EQ(text, explicit_null.finish());
  EXPECT_EQ(json::parse(text)["requests"][0]["batch"]["steps"].size(), 4u);
}

TEST(HranaCodec, BatchResultsKeepSkippedStepsAsNull) {
  const auto resp = decode_pipeline_response(
      R"({"baton":null,"results":[{"type":"ok","response":{"type":"batch","result":{"step_results":[{"cols":[],"rows":[]},null],)"
      R"("step_errors":[null,{"message":"UNIQUE constraint failed: t.a","code":"SQLITE_CONSTRAINT_UNIQUE"}]}}}]})");
  const auto& b = resp.results.at(0).batch;
  ASSERT_EQ(b.step_results.size(), 2u);
  EXPECT_TRUE(b.step_results[0]);
  EXPECT_FALSE(b.step_results[1]);
  ASSERT_TRUE(b.step_errors[1]);
  EXPECT_EQ(b.step_errors[1]->code, "SQLITE_CONSTRAINT_UNIQUE");
}

TEST(HranaErrors, InBandErrorsAreClassifiedLikeSqlite) {
  EXPECT_EQ(classify("SQLITE_CONSTRAINT_UNIQUE", "x"), ds::Errc::constraint);
  EXPECT_EQ(classify("SQLITE_CONSTRAINT", "x"), ds::Errc::constraint);
  EXPECT_EQ(classify("EXECUTE_ERROR", "Runtime error: UNIQUE constraint failed: t.name (19)"), ds::Errc::constraint);
  EXPECT_EQ(classify("BATCH_STEP_ERROR", "FOREIGN KEY constraint failed"), ds::Errc::constraint);
  EXPECT_EQ(classify("SQLITE_BUSY", "database is locked"), ds::Errc::busy);
  EXPECT_EQ(classify("SQLITE_LOCKED_SHAREDCACHE", ""), ds::Errc::busy);
  EXPECT_EQ(classify("TRANSACTION_TIMEOUT", ""), ds::Errc::busy);
  EXPECT_EQ(classify("SQL_PARSE_ERROR", "near SELEC"), ds::Errc::misuse);
  EXPECT_EQ(classify("PREPARE_ERROR", "near \"SELEC\": syntax error"), ds::Errc::misuse);
  EXPECT_EQ(classify("ARGS_INVALID", ""), ds::Errc::misuse);
  EXPECT_EQ(classify("SQLITE_IOERR_WRITE", ""), ds::Errc::io);
  EXPECT_EQ(native_code("SQLITE_CONSTRAINT_UNIQUE", ""), 2067);
  EXPECT_EQ(native_code("EXECUTE_ERROR", "UNIQUE constraint failed: t.name (19)"), 19);

  const ds::Error e = stream_error({"UNIQUE constraint failed: t.a", "SQLITE_CONSTRAINT_UNIQUE"}, "Turso at h");
  EXPECT_EQ(e.code(), ds::Errc::constraint);
  EXPECT_EQ(e.native_code(), 2067);
  EXPECT_NE(std::string(e.what()).find("UNIQUE constraint failed"), std::string::npos);
}

TEST(HranaErrors, HttpErrorsNameTheHostAndTheCause) {
  auto e = http_error(401, R"({"error":"Unauthorized: token expired"})", "db.example:443", false);
  EXPECT_EQ(e.code(), ds::Errc::auth);
  EXPECT_NE(std::string(e.what()).find("db.example:443"), std::string::npos);
  EXPECT_NE(std::string(e.what()).find("token expired"), std::string::npos);
  EXPECT_EQ(http_error(403, "", "h", false).code(), ds::Errc::auth);
  EXPECT_EQ(http_error(503, "down", "h", false).code(), ds::Errc::unavailable);
  EXPECT_EQ(http_error(429, "", "h", false).code(), ds::Errc::unavailable);
  EXPECT_EQ(http_error(500, "boom", "h", false).code(), ds::Errc::unavailable);
  EXPECT_EQ(http_error(400, R"({"message":"bad","code":"PROTO"})", "h", false).code(), ds::Errc::misuse);
  auto expired = http_error(400, R"({"message":"The stream has expired","code":"STREAM_EXPIRED"})", "h", true);
  EXPECT_EQ(expired.code(), ds::Errc::unavailable);
  EXPECT_NE(std::string(expired.what()).find("expired the stream"), std::string::npos);
  EXPECT_EQ(http_error(404, "", "h", true).code(), ds::Errc::unavailable);
}

TEST(HranaErrors, CloseRejectionIsRecognisedAndTokensAreRedacted) {
  EXPECT_TRUE(is_close_rejection(
      500, "Internal Server Error: Failed to parse pipeline request: unknown variant `close`, expected `execute` or `batch`"));
  EXPECT_FALSE(is_close_rejection(500, "database exploded"));
  EXPECT_FALSE(is_close_rejection(200, "unknown variant `close`"));
  // A Hrana server without `close` refuses the whole pipeline as malformed.
  EXPECT_TRUE(is_close_rejection(400, R"({"error":"unknown request type 'close' for Hrana 2"})"));
  EXPECT_TRUE(is_close_rejection(400, R"({"error":"Request type Close is not supported"})"));
  // Not a refusal of `close`: auth, a missing path, overload, an expired stream, a gateway.
  for (const long status : {401L, 403L, 404L, 429L, 502L, 503L})
    EXPECT_FALSE(is_close_rejection(status, "unknown request type close")) << status;
  EXPECT_FALSE(
      is_close_rejection(400, R"({"message":"the stream was closed","code":"STREAM_EXPIRED"})"));
  EXPECT_EQ(redact("a tok b tok", ds::Secret("tok")), "a *** b ***");
}
