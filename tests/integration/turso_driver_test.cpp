// The Turso driver against the REAL local libSQL-protocol server (tursodb). Its limits (see
// shared/spec/hrana.md: no close, no streams, affected_row_count always 0) are the server's;
// these tests assert what must hold on it, not the server's gaps; the driver's counts are
// true on it all the same.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "db/turso/turso_database.hpp"
#include "support/temp_dir.hpp"
#include "support/turso_server.hpp"

using ds::Errc;
using ds::Error;
using ds::db::Blob;
using ds::db::Statement;
using ds::db::TursoDatabase;
using ds::db::Value;

namespace {

class TursoDriver : public ::testing::Test {
 protected:
  void SetUp() override {
    // Without tursodb this throws with the install command: a failure, not a skip.
    server_ = std::make_unique<ds::test::TursoServer>(dir_.path());
    ds::TursoOptions o{.url = server_->url(), .token = ds::Secret("any-token")};
    o.first_backoff = std::chrono::milliseconds(5);
    db_ = ds::db::open_turso(o);
    db_->execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, f REAL, b BLOB, n INTEGER)");
  }

  std::int64_t count() {
    auto r = db_->execute("SELECT count(*) FROM t");
    return std::get<std::int64_t>(r.cells.at(0));
  }

  ds::test::TempDir dir_;
  std::unique_ptr<ds::test::TursoServer> server_;
  std::shared_ptr<TursoDatabase> db_;
};

}  // namespace

TEST_F(TursoDriver, OpenLearnsThatThisServerRejectsClose) {
  EXPECT_FALSE(db_->sends_close());
  const auto before = db_->requests_sent();
  db_->execute("SELECT 1");
  EXPECT_EQ(db_->requests_sent(), before + 1);
  EXPECT_EQ(db_->dialect(), "turso");
}

TEST_F(TursoDriver, ValuesRoundTripExactly) {
  const std::string text("nul\0inside \xc3\xa9", 13);
  const Blob blob{0, 1, 2, 255, 254};
  const Value row1[] = {std::string("a"), 1.5, blob, std::numeric_limits<std::int64_t>::min()};
  const Value row2[] = {text, -0.0, Blob{}, std::numeric_limits<std::int64_t>::max()};
  const Value row3[] = {std::string("c"), nullptr, nullptr, nullptr};
  for (const auto* row : {row1, row2, row3}) {
    db_->execute("INSERT INTO t (name, f, b, n) VALUES (?, ?, ?, ?)", std::span<const Value>(row, 4));
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
  EXPECT_TRUE(ds::db::is_null(r.row(2)[3]));
}

TEST_F(TursoDriver, NaNParametersAreRefusedBeforeSending) {
  const auto before = db_->requests_sent();
  const Value args[] = {std::string("x"), std::nan("")};
  try {
    db_->execute("INSERT INTO t (name, f) VALUES (?, ?)", args);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::misuse);
  }
  EXPECT_EQ(db_->requests_sent(), before);
}

TEST_F(TursoDriver, ErrorsAreClassifiedLikeSqlite) {
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

TEST_F(TursoDriver, BatchIsOneRequestAndAtomic) {
  std::vector<Statement> stmts;
  for (int i = 0; i < 50; ++i) stmts.push_back({"INSERT INTO t (name) VALUES (?)", {std::string("n") + std::to_string(i)}});
  const auto before = db_->requests_sent();
  const auto results = db_->batch(stmts);
  EXPECT_EQ(results.size(), 50u);
  EXPECT_EQ(db_->requests_sent(), before + 1);
  EXPECT_EQ(count(), 50);

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
  EXPECT_EQ(count(), 50) << "nothing of the failed batch stays";
  // The connection is usable afterwards (no transaction left open).
  db_->execute("INSERT INTO t (name) VALUES ('after')");
  EXPECT_EQ(count(), 51);
}

// tursodb reports 0 affected rows and no rowid for everything: the driver's counts are true.
TEST_F(TursoDriver, RowsAffectedAndRowidAreTrueOnAServerThatReportsNeither) {
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
  db_->transaction(
      [](ds::db::Transaction& tx) { EXPECT_EQ(tx.execute("DELETE FROM t").rows_affected, 2); });
}

// tursodb's connections start with foreign keys off, as stock SQLite's do: the driver turns
// them on for every stream, so an orphan row is refused here as on SQLite.
TEST_F(TursoDriver, ForeignKeysAreEnforcedWhateverTheServersDefault) {
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

TEST_F(TursoDriver, TransactionCommitsAndRollsBack) {
  db_->transaction([](ds::db::Transaction& tx) {
    tx.execute("INSERT INTO t (name) VALUES ('a')");
    tx.execute("INSERT INTO t (name) VALUES ('b')");
  });
  EXPECT_EQ(count(), 2);
  EXPECT_THROW(db_->transaction([](ds::db::Transaction& tx) {
    tx.execute("INSERT INTO t (name) VALUES ('c')");
    tx.execute("INSERT INTO t (name) VALUES ('a')");  // constraint
  }),
               Error);
  EXPECT_EQ(count(), 2);
  db_->execute("INSERT INTO t (name) VALUES ('d')");
  EXPECT_EQ(count(), 3);
}

TEST_F(TursoDriver, StoppedServerIsUnavailableAndTheDriverRecovers) {
  server_->stop();
  try {
    db_->execute("SELECT 1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::unavailable);
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(server_->port())), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("any-token"), std::string::npos);
  }
  server_->start();
  EXPECT_EQ(count(), 0);
}

TEST(TursoDriverOpen, UnreachableServerFailsAtOpen) {
  const auto port = ds::test::pick_free_port();
  ds::TursoOptions o{.url = "http://127.0.0.1:" + std::to_string(port), .token = ds::Secret("t")};
  o.first_backoff = std::chrono::milliseconds(1);
  try {
    ds::db::open_turso(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::unavailable);
  }
}
