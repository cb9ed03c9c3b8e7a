// Streaming reads (Connection::stream) on real servers: through Hrana 3's `POST /v3/cursor`
// where the server has it (the Hrana test server in v3 mode), through the pipeline where it
// does not (tursodb answers 404, once; a Hrana 2 server is never asked). Rows arrive in order
// and whole, one request per read; a sink that stops, a step failing mid-read and an answer
// cut off give what the pipeline path gives: the rows handed on so far and the same error,
// never a partial success. Through the fault proxy, which counts and cuts.
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/error.hpp"
#include "db/turso/turso_database.hpp"
#include "support/database_backend.hpp"
#include "support/fault_proxy.hpp"
#include "support/temp_dir.hpp"

namespace {

using ds::Errc;
using ds::Error;
using ds::db::RowView;
using ds::db::TursoDatabase;
using ds::db::Value;
using ds::db::ValueView;
using ds::test::BackendFactory;
using ds::test::FaultProxy;
using ds::test::kTursoTestToken;
using ds::test::ProxiedBackend;
using Fault = FaultProxy::Fault;

constexpr int kRows = 3000;

class TursoCursor : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    backend_ = std::make_shared<ProxiedBackend>(GetParam()());
    const auto url = backend_->server_env(dir_.path()).at("TURSO_DATABASE_URL");
    ds::TursoOptions o{.url = url, .token = ds::Secret(kTursoTestToken)};
    o.first_backoff = std::chrono::milliseconds(5);
    db_ = std::make_shared<TursoDatabase>(o);
    const auto direct = backend_->connect();
    direct->execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, b BLOB)");
    // Plain multi-row VALUES: what every server runs (tursodb 0.6 included).
    for (int first = 1; first <= kRows; first += 500) {
      std::string sql = "INSERT INTO t (id, name, b) VALUES ";
      for (int id = first; id < first + 500; ++id) {
        if (id != first) sql += ',';
        sql += "(" + std::to_string(id) + ", 'name-" + std::to_string(id) + "', X'" +
               std::string(static_cast<std::size_t>(2 * (id % 5)), '0') + "')";
      }
      direct->execute(sql);
    }
  }

  std::size_t requests_to(std::string_view target) const {
    std::size_t n = 0;
    for (const auto& r : backend_->proxy().requests()) n += r.target.ends_with(target) ? 1 : 0;
    return n;
  }

  // Reads every row of `sql` through stream(); each row checked against its id.
  std::int64_t read_all(const std::string& sql = "SELECT id, name, b FROM t ORDER BY id") {
    std::int64_t expected = 1;
    auto sink = ds::db::row_sink([&](const RowView& r) {
      EXPECT_EQ(r.size(), 3u);
      EXPECT_EQ(std::get<std::int64_t>(r[0]), expected);
      EXPECT_EQ(std::get<std::string_view>(r[1]), "name-" + std::to_string(expected));
      EXPECT_EQ(std::get<std::span<const std::uint8_t>>(r[2]).size(),
                static_cast<std::size_t>(expected % 5));
      ++expected;
    });
    EXPECT_EQ(db_->stream(sql, {}, sink), 0);
    return expected - 1;
  }

  ds::test::TempDir dir_;
  std::shared_ptr<ProxiedBackend> backend_;
  std::shared_ptr<TursoDatabase> db_;
};

// Whatever the server supports, a read streams every row, in order, and the driver asks for
// the cursor at most once on a server without it.
TEST_P(TursoCursor, EveryRowArrivesInOrderWhateverTheServerSupports) {
  EXPECT_EQ(read_all(), kRows);
  EXPECT_EQ(read_all(), kRows);
  const std::string name = ds::test::backend_name({GetParam(), 0});
  if (name == "hrana_v3") {
    EXPECT_TRUE(db_->streams_reads());
    EXPECT_EQ(requests_to("/v3/cursor"), 2u) << "one request per read";
    EXPECT_EQ(requests_to("/pipeline"), 0u);
    // The stream the cursor opens gets foreign keys on first, as a pipeline's would.
    for (const auto& r : backend_->proxy().requests())
      EXPECT_NE(r.body.find("PRAGMA foreign_keys=ON"), std::string::npos) << r.body;
  } else {
    EXPECT_FALSE(db_->streams_reads());
    EXPECT_LE(requests_to("/v3/cursor"), 1u) << "a server without it is asked once";
  }
}

// A write through stream() (RETURNING) keeps the pipeline, with its true counts.
TEST_P(TursoCursor, AWriteThroughStreamKeepsThePipelineAndItsCounts) {
  int rows = 0;
  auto sink = ds::db::row_sink([&](const RowView&) { ++rows; });
  const auto before = requests_to("/v3/cursor");
  EXPECT_EQ(db_->stream("UPDATE t SET name = name || '!' WHERE id <= 3 RETURNING id", {}, sink), 3);
  EXPECT_EQ(requests_to("/v3/cursor"), before);
  EXPECT_EQ(rows, 3);
}

INSTANTIATE_TEST_SUITE_P(Turso, TursoCursor, ::testing::Values(&ds::test::turso_backend),
                         ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV2, TursoCursor, ::testing::Values(&ds::test::hrana_v2_backend),
                         ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV3, TursoCursor, ::testing::Values(&ds::test::hrana_v3_backend),
                         ds::test::backend_name);

// What only a server with the cursor shows.
class TursoCursorV3 : public TursoCursor {};

TEST_P(TursoCursorV3, ASinkThatStopsEndsTheReadAndTheNextReadWorks) {
  int seen = 0;
  auto stop = ds::db::row_sink([&](const RowView&) { return ++seen < 10; });
  EXPECT_EQ(db_->stream("SELECT id, name, b FROM t ORDER BY id", {}, stop), 0);
  EXPECT_EQ(seen, 10) << "no row after the one that said stop";
  EXPECT_EQ(read_all(), kRows);
  EXPECT_EQ(requests_to("/v3/cursor"), 2u);
}

TEST_P(TursoCursorV3, ASinkThatThrowsIsRethrownAndTheNextReadWorks) {
  int seen = 0;
  auto boom = ds::db::row_sink([&](const RowView&) {
    if (++seen == 5) throw std::runtime_error("sink failed");
  });
  EXPECT_THROW(db_->stream("SELECT id, name, b FROM t ORDER BY id", {}, boom), std::runtime_error);
  EXPECT_EQ(seen, 5);
  EXPECT_EQ(read_all(), kRows);
}

// A statement that fails after rows went out: the rows so far, then the error the pipeline
// path gives for the same statement.
TEST_P(TursoCursorV3, AStepFailingMidReadIsTheStatementsError) {
  const std::string sql =
      "SELECT id, CASE WHEN id > 2900 THEN abs(-9223372036854775807 - 1) ELSE id END, b "
      "FROM t ORDER BY id";
  Errc pipeline_code = Errc::internal;
  try {
    db_->execute(sql);
    FAIL() << "no error";
  } catch (const Error& e) {
    pipeline_code = e.code();
  }
  int seen = 0;
  auto count = ds::db::row_sink([&](const RowView&) { ++seen; });
  try {
    db_->stream(sql, {}, count);
    FAIL() << "a failed read reported success";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), pipeline_code) << e.what();
    EXPECT_NE(std::string(e.what()).find("integer overflow"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(backend_->proxy().host()), std::string::npos);
  }
  EXPECT_GT(seen, 0);
  EXPECT_LT(seen, 2900);
  EXPECT_EQ(requests_to("/v3/cursor"), 1u) << "a statement's error is not retried";
  // An error before any row: the same as the pipeline's.
  try {
    auto none = ds::db::row_sink([](const RowView&) {});
    db_->stream("SELECT nope FROM t", {}, none);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::misuse) << e.what();
  }
}

// An answer cut off mid-read, after rows reached the sink: the rows so far, then unavailable;
// never resent (the sink would see rows twice).
TEST_P(TursoCursorV3, AnAnswerCutOffIsUnavailableAndNotResent) {
  backend_->proxy().inject({.fault = Fault::reset, .times = 1});
  int seen = 0;
  auto count = ds::db::row_sink([&](const RowView&) { ++seen; });
  try {
    db_->stream("SELECT id, name, b FROM t ORDER BY id", {}, count);
    FAIL() << "a cut-off read reported success";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::unavailable) << e.what();
    EXPECT_NE(std::string(e.what()).find("cut off"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(kTursoTestToken), std::string::npos);
  }
  EXPECT_GT(seen, 0);
  EXPECT_LT(seen, kRows);
  EXPECT_EQ(requests_to("/v3/cursor"), 1u);
  EXPECT_EQ(read_all(), kRows);
}

// The stream a finished read opened serves the next read; one a sink stopped (its answer
// unread) is never reused; a kept stream the server expired costs one more request, no error.
TEST_P(TursoCursorV3, AFinishedReadsStreamIsReusedAndAnExpiredOneReplaced) {
  const auto cursor_batons = [&] {
    std::vector<bool> named;
    for (const auto& r : backend_->proxy().requests()) {
      if (r.target.ends_with("/v3/cursor")) named.push_back(r.body.starts_with(R"({"baton":")"));
    }
    return named;
  };
  EXPECT_EQ(read_all(), kRows);
  EXPECT_EQ(read_all(), kRows);
  int seen = 0;
  auto stop = ds::db::row_sink([&](const RowView&) { return ++seen < 2; });
  db_->stream("SELECT id, name, b FROM t ORDER BY id", {}, stop);
  EXPECT_EQ(read_all(), kRows);
  EXPECT_EQ(cursor_batons(), (std::vector<bool>{false, true, true, false}));

  backend_->proxy().inject(
      {.fault = Fault::expire_streams, .times = 1, .only_if_body_contains = R"({"baton":")"});
  EXPECT_EQ(read_all(), kRows);
  EXPECT_EQ(backend_->proxy().faults_injected(), 1);
  EXPECT_EQ(cursor_batons(), (std::vector<bool>{false, true, true, false, true, false}));
}

// Cut off before any row reached the sink: repeated like any read, and it succeeds.
TEST_P(TursoCursorV3, AnAnswerCutOffBeforeAnyRowIsRepeated) {
  backend_->proxy().inject({.fault = Fault::reset, .times = 1});
  int seen = 0;
  auto count = ds::db::row_sink([&](const RowView&) { ++seen; });
  EXPECT_EQ(db_->stream("SELECT id FROM t WHERE id < 0", {}, count), 0);
  EXPECT_EQ(seen, 0);
  EXPECT_EQ(requests_to("/v3/cursor"), 2u) << "one repeat";
}

// Refused before any row (a 503 from a gateway): a read is repeated as on the pipeline.
TEST_P(TursoCursorV3, ARefusedReadIsRepeatedLikeAnyRead) {
  backend_->proxy().inject({.fault = Fault::status, .status = 503, .times = 1});
  EXPECT_EQ(read_all(), kRows);
  EXPECT_EQ(requests_to("/v3/cursor"), 2u);
  EXPECT_TRUE(db_->streams_reads());
}

INSTANTIATE_TEST_SUITE_P(HranaV3, TursoCursorV3, ::testing::Values(&ds::test::hrana_v3_backend),
                         ds::test::backend_name);

}  // namespace
