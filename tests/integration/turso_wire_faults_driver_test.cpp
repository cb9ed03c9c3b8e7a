// Wire faults at the driver's level, where a route would hide what is asserted: an atomic
// batch cut off (all or nothing on the server), a transaction's COMMIT whose answer is lost
// (outcome unknown, never resent), a stream a newer server no longer knows (404), `close`
// refused on a transaction's last pipeline. Through the fault proxy in front of tursodb and
// the Hrana test server; the database is checked directly, past the proxy.
// (Through the real binary: turso_wire_faults_test.cpp.)
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "db/turso/turso_database.hpp"
#include "support/database_backend.hpp"
#include "support/fault_proxy.hpp"
#include "support/hrana_test_server.hpp"
#include "support/temp_dir.hpp"

namespace {

using ds::Errc;
using ds::Error;
using ds::db::Statement;
using ds::db::TursoDatabase;
using ds::test::BackendFactory;
using ds::test::FaultProxy;
using ds::test::kTursoTestToken;
using ds::test::ProxiedBackend;
using Fault = FaultProxy::Fault;

// The error `call` throws: unavailable, naming the proxy's host, never the token.
template <class Call>
std::string unavailable_error(const FaultProxy& proxy, Call call) {
  try {
    call();
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.code(), Errc::unavailable) << what;
    EXPECT_NE(what.find(proxy.host()), std::string::npos) << what;
    EXPECT_EQ(what.find(kTursoTestToken), std::string::npos) << what;
    return what;
  }
  ADD_FAILURE() << "no error";
  return {};
}

class TursoWireFaultsDriver : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    backend_ = std::make_shared<ProxiedBackend>(GetParam()());
    url_ = backend_->server_env(dir_.path()).at("TURSO_DATABASE_URL");
    ds::TursoOptions o{.url = url_, .token = ds::Secret(kTursoTestToken)};
    o.first_backoff = std::chrono::milliseconds(5);
    db_ = ds::db::open_turso(o);
    direct()->execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  }
  std::shared_ptr<ds::db::Connection> direct() { return backend_->connect(); }
  std::int64_t rows() {
    return std::get<std::int64_t>(direct()->execute("SELECT count(*) FROM t").cells.at(0));
  }
  FaultProxy& proxy() { return backend_->proxy(); }

  ds::test::TempDir dir_;
  std::shared_ptr<ProxiedBackend> backend_;
  std::string url_;
  std::shared_ptr<TursoDatabase> db_;
};

const Statement kThree[] = {{"INSERT INTO t (name) VALUES ('a')", {}},
                            {"INSERT INTO t (name) VALUES ('b')", {}},
                            {"INSERT INTO t (name) VALUES ('c')", {}}};

// An atomic batch whose answer is reset or lost: all three rows or none, never some; the
// error says the outcome is unknown and the batch was sent once.
TEST_P(TursoWireFaultsDriver, ABatchCutOffIsAllOrNothingAndNeverResent) {
  for (const Fault fault : {Fault::reset, Fault::lose_response}) {
    direct()->execute("DELETE FROM t");
    const auto before = proxy().count();
    proxy().inject({.fault = fault});
    const auto what = unavailable_error(proxy(), [&] { db_->batch(kThree); });
    EXPECT_NE(what.find("outcome is unknown"), std::string::npos) << what;
    EXPECT_EQ(proxy().count() - before, 1u) << "sent once";
    proxy().pass();
    const auto n = rows();
    EXPECT_TRUE(n == 0 || n == 3) << n << " rows: half a batch";
    EXPECT_EQ(n, 3) << "the proxy forwarded it: the server ran it whole";
  }
  // Refused without running: nothing stored, and the error says so.
  direct()->execute("DELETE FROM t");
  proxy().inject({.fault = Fault::status, .status = 503});
  const auto what = unavailable_error(proxy(), [&] { db_->batch(kThree); });
  EXPECT_NE(what.find("HTTP 503"), std::string::npos) << what;
  proxy().pass();
  EXPECT_EQ(rows(), 0);
  EXPECT_EQ(db_->batch(kThree).size(), 3u);
  EXPECT_EQ(rows(), 3);
}

// A migration batch (foreign keys off, checked batch, foreign keys on) whose answer is lost.
TEST_P(TursoWireFaultsDriver, AMigrationBatchCutOffIsAllOrNothing) {
  const Statement migration[] = {{"CREATE TABLE m1 (id INTEGER PRIMARY KEY)", {}},
                                 {"CREATE TABLE m2 (id INTEGER PRIMARY KEY)", {}},
                                 {"INSERT INTO t (name) VALUES ('m')", {}}};
  proxy().inject({.fault = Fault::reset});
  const auto what = unavailable_error(proxy(), [&] { db_->migration_batch(migration); });
  EXPECT_NE(what.find("outcome is unknown"), std::string::npos) << what;
  proxy().pass();
  const auto tables = std::get<std::int64_t>(
      direct()
          ->execute("SELECT count(*) FROM sqlite_master WHERE name IN ('m1','m2')")
          .cells.at(0));
  EXPECT_TRUE((tables == 2 && rows() == 1) || (tables == 0 && rows() == 0))
      << tables << " tables, " << rows() << " rows";
}

INSTANTIATE_TEST_SUITE_P(Turso, TursoWireFaultsDriver, ::testing::Values(&ds::test::turso_backend),
                         ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV2, TursoWireFaultsDriver,
                         ::testing::Values(&ds::test::hrana_v2_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV3, TursoWireFaultsDriver,
                         ::testing::Values(&ds::test::hrana_v3_backend), ds::test::backend_name);

// Interactive transactions: only on servers with streams (tursodb shares one connection, so a
// transaction cut off there would leave that one connection inside it).
class TursoStreamFaultsDriver : public TursoWireFaultsDriver {};

// The COMMIT ran, its answer was lost: the error says the outcome is unknown; COMMIT is not
// resent; the rows are all there.
TEST_P(TursoStreamFaultsDriver, ACommitWhoseAnswerIsLostSaysTheOutcomeIsUnknown) {
  proxy().inject({.fault = Fault::lose_response, .only_if_body_contains = R"("sql":"COMMIT")"});
  const auto what = unavailable_error(proxy(), [&] {
    db_->transaction([](ds::db::Transaction& tx) {
      tx.execute("INSERT INTO t (name) VALUES ('x')", {});
      tx.execute("INSERT INTO t (name) VALUES ('y')", {});
    });
  });
  EXPECT_NE(what.find("outcome is unknown"), std::string::npos) << what;
  EXPECT_EQ(proxy().count(R"("sql":"COMMIT")"), 1u);
  proxy().pass();
  EXPECT_EQ(rows(), 2);
}

// `close` refused on the COMMIT pipeline (nothing of it ran): resent without `close`, once.
TEST_P(TursoStreamFaultsDriver, ACloseRefusedOnTheCommitPipelineCommitsOnce) {
  proxy().inject({.fault = Fault::reject_close});
  db_->transaction(
      [](ds::db::Transaction& tx) { tx.execute("INSERT INTO t (name) VALUES ('x')", {}); });
  EXPECT_FALSE(db_->sends_close());
  EXPECT_EQ(proxy().count(R"("sql":"COMMIT")"), 2u) << "the refused pipeline, then the resend";
  EXPECT_EQ(rows(), 1);
  proxy().pass();
  db_->transaction(
      [](ds::db::Transaction& tx) { tx.execute("INSERT INTO t (name) VALUES ('y')", {}); });
  EXPECT_EQ(rows(), 2);
}

INSTANTIATE_TEST_SUITE_P(HranaV2, TursoStreamFaultsDriver,
                         ::testing::Values(&ds::test::hrana_v2_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV3, TursoStreamFaultsDriver,
                         ::testing::Values(&ds::test::hrana_v3_backend), ds::test::backend_name);

// Newer servers answer 404 for a baton they do not know: the transaction fails clearly (it
// is not taken for a missing pipeline path), nothing of it is stored, the next one runs.
TEST(TursoStreamFaultsDriverUnknownBaton, A404ForAnExpiredBatonFailsTheTransactionClearly) {
  ds::test::TempDir dir;
  ds::test::HranaTestServer server(dir.path(),
                                   {.token = kTursoTestToken, .unknown_baton_status = 404});
  FaultProxy proxy(server.port());
  auto db = ds::db::open_turso({.url = proxy.url(), .token = ds::Secret(kTursoTestToken)});
  db->execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  proxy.inject({.fault = Fault::expire_streams, .times = 1});
  const auto what = unavailable_error(proxy, [&] {
    db->transaction([](ds::db::Transaction& tx) {
      tx.execute("INSERT INTO t (name) VALUES ('x')", {});
      tx.execute("INSERT INTO t (name) VALUES ('y')", {});
    });
  });
  EXPECT_NE(what.find("HTTP 404"), std::string::npos) << what;
  EXPECT_NE(what.find("expired the stream"), std::string::npos) << what;
  EXPECT_NE(what.find("not retried"), std::string::npos) << what;
  EXPECT_EQ(proxy.faults_injected(), 1);
  auto direct = ds::db::open_turso({.url = server.url(), .token = ds::Secret(kTursoTestToken)});
  EXPECT_EQ(std::get<std::int64_t>(direct->execute("SELECT count(*) FROM t").cells.at(0)), 0);
  db->transaction(
      [](ds::db::Transaction& tx) { tx.execute("INSERT INTO t (name) VALUES ('z')", {}); });
  EXPECT_EQ(std::get<std::int64_t>(direct->execute("SELECT count(*) FROM t").cells.at(0)), 1);
}

}  // namespace
