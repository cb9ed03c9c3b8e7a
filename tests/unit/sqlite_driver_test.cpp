#include <gtest/gtest.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <latch>
#include <limits>
#include <thread>

#include "core/error.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "support/temp_dir.hpp"

namespace ds::db {
namespace {

template <typename F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ds::Error";
  return Error(Errc::internal, "none");
}

std::int64_t as_int(const Value& v) { return std::get<std::int64_t>(v); }

class SqliteDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = open_sqlite(path(), OpenMode::create_if_missing);
    db->execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v ANY, u TEXT UNIQUE)");
  }
  std::filesystem::path path() const { return dir / "db.sqlite"; }
  std::int64_t count(std::string_view table = "t") {
    return as_int(db->execute(fmt::format("SELECT count(*) FROM {}", table)).cells.at(0));
  }

  test::TempDir dir;
  std::shared_ptr<Connection> db;
};

TEST(SqliteOpen, MustExistOnAMissingFileIsIoAndCreatesNothing) {
  test::TempDir dir;
  const auto e = error_of([&] { open_sqlite(dir / "missing.db", OpenMode::must_exist); });
  EXPECT_EQ(e.code(), Errc::io);
  EXPECT_NE(std::string(e.what()).find("missing.db"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "missing.db"));
  EXPECT_EQ(error_of([&] { open_sqlite(dir / "no/folder/x.db", OpenMode::must_exist); }).code(), Errc::io);
  EXPECT_FALSE(std::filesystem::exists(dir / "no"));
}

TEST(SqliteOpen, ACorruptFileIsIo) {
  test::TempDir dir;
  {
    std::ofstream out(dir / "corrupt.db", std::ios::binary);
    for (int i = 0; i < 1000; ++i) out << "this is not a database, just text. ";
  }
  for (auto mode : {OpenMode::must_exist, OpenMode::create_if_missing}) {
    const auto e = error_of([&] { open_sqlite(dir / "corrupt.db", mode); });
    EXPECT_EQ(e.code(), Errc::io) << e.what();
    EXPECT_NE(std::string(e.what()).find("corrupt.db"), std::string::npos);
  }
}

TEST(SqliteOpen, CreateIfMissingCreatesTheFolders) {
  test::TempDir dir;
  const auto file = dir / "a/b/c/new.db";
  auto db = open_sqlite(file, OpenMode::create_if_missing);
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(db->dialect(), "sqlite");
  // The database it created opens again with must_exist.
  db.reset();
  EXPECT_NO_THROW(open_sqlite(file, OpenMode::must_exist));
}

TEST(SqliteOpen, UsesWal) {
  test::TempDir dir;
  auto db = open_sqlite(dir / "x.db", OpenMode::create_if_missing);
  EXPECT_EQ(std::get<std::string>(db->execute("PRAGMA journal_mode").cells.at(0)), "wal");
  EXPECT_EQ(as_int(db->execute("PRAGMA synchronous").cells.at(0)), 1);  // NORMAL
}

TEST(SqliteOpen, ReadsDoNotWaitForAnOpenWriteTransaction) {
  test::TempDir dir;
  auto db = open_sqlite(dir / "x.db", OpenMode::create_if_missing);
  EXPECT_TRUE(db->reads_never_wait());
  db->execute("CREATE TABLE t (v INTEGER)");
  db->transaction([&](Transaction& tx) {
    tx.execute("INSERT INTO t VALUES (1)");
    // A reader of the pool, while the writer holds the write lock: the committed state.
    EXPECT_EQ(as_int(db->execute("SELECT count(*) FROM t").cells.at(0)), 0);
  });
  EXPECT_EQ(std::get<std::string>(db->execute("PRAGMA journal_mode").cells.at(0)), "wal");
  EXPECT_EQ(as_int(db->execute("SELECT count(*) FROM t").cells.at(0)), 1);
}

TEST(SqliteOpen, ADatabaseWithoutWalSaysItsReadsMayWait) {
  // An in-memory database refuses journal_mode=WAL: readers would wait for writers there.
  auto db = open_sqlite(":memory:", OpenMode::create_if_missing);
  EXPECT_FALSE(db->reads_never_wait());
}

TEST_F(SqliteDriverTest, AllFiveValueTypesRoundTrip) {
  const std::string text_with_nul("a\0b\0", 4);
  const Blob blob{0, 1, 2, 0, 255};
  const std::vector<Value> values = {nullptr,
                                     std::int64_t{0},
                                     std::numeric_limits<std::int64_t>::min(),
                                     std::numeric_limits<std::int64_t>::max(),
                                     1.5,
                                     -0.25,
                                     std::string(),
                                     text_with_nul,
                                     std::string("unicode: \xc3\xa9\xe2\x82\xac"),
                                     blob,
                                     Blob{}};
  for (const auto& v : values) {
    const Value params[] = {v};
    db->execute("INSERT INTO t(v) VALUES (?)", params);
  }
  const auto r = db->execute("SELECT v, typeof(v) FROM t ORDER BY id");
  ASSERT_EQ(r.row_count(), values.size());
  EXPECT_EQ(r.columns, (std::vector<std::string>{"v", "typeof(v)"}));
  for (std::size_t i = 0; i < values.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(r.row(i)[0], values[i]) << std::get<std::string>(r.row(i)[1]);
  }
}

TEST_F(SqliteDriverTest, NumberedParameters) {
  const Value params[] = {std::int64_t{7}, std::string("x")};
  const auto r = db->execute("SELECT ?2, ?1, ?2", params);
  EXPECT_EQ(r.row(0)[0], Value(std::string("x")));
  EXPECT_EQ(r.row(0)[1], Value(std::int64_t{7}));
}

TEST_F(SqliteDriverTest, WrongParameterCountIsMisuse) {
  const Value one[] = {std::int64_t{1}};
  EXPECT_EQ(error_of([&] { db->execute("SELECT ?, ?", one); }).code(), Errc::misuse);
  EXPECT_EQ(error_of([&] { db->execute("SELECT 1", one); }).code(), Errc::misuse);
}

TEST_F(SqliteDriverTest, RowsAffectedAndLastInsertRowid) {
  for (std::int64_t i = 1; i <= 3; ++i) {
    const Value params[] = {i};
    const auto r = db->execute("INSERT INTO t(v) VALUES (?)", params);
    EXPECT_EQ(r.rows_affected, 1);
    EXPECT_EQ(r.last_insert_rowid, i);
  }
  const auto update = db->execute("UPDATE t SET v = v + 1 WHERE v >= 2");
  EXPECT_EQ(update.rows_affected, 2);
  EXPECT_FALSE(update.last_insert_rowid);
  const auto none = db->execute("UPDATE t SET v = 0 WHERE v > 100");
  EXPECT_EQ(none.rows_affected, 0);
  const auto select = db->execute("SELECT * FROM t");
  EXPECT_EQ(select.rows_affected, 0);
  EXPECT_FALSE(select.last_insert_rowid);
  const auto del = db->execute("DELETE FROM t");
  EXPECT_EQ(del.rows_affected, 3);
  const auto ignored = db->execute("INSERT INTO t(u) VALUES ('k') ON CONFLICT DO NOTHING");
  EXPECT_EQ(ignored.rows_affected, 1);
  const auto ignored_again = db->execute("INSERT INTO t(u) VALUES ('k') ON CONFLICT DO NOTHING");
  EXPECT_EQ(ignored_again.rows_affected, 0);
  EXPECT_FALSE(ignored_again.last_insert_rowid);
}

TEST_F(SqliteDriverTest, ConstraintViolationsCarryTheExtendedCode) {
  db->execute("INSERT INTO t(u) VALUES ('a')");
  const auto unique = error_of([&] { db->execute("INSERT INTO t(u) VALUES ('a')"); });
  EXPECT_EQ(unique.code(), Errc::constraint);
  EXPECT_EQ(unique.native_code(), SQLITE_CONSTRAINT_UNIQUE);
  db->execute("CREATE TABLE nn(x TEXT NOT NULL)");
  const auto notnull = error_of([&] { db->execute("INSERT INTO nn(x) VALUES (NULL)"); });
  EXPECT_EQ(notnull.code(), Errc::constraint);
  EXPECT_EQ(notnull.native_code(), SQLITE_CONSTRAINT_NOTNULL);
}

TEST_F(SqliteDriverTest, ForeignKeysAreEnforcedOnEveryPooledConnection) {
  db->execute("CREATE TABLE child(id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t(id))");
  EXPECT_EQ(as_int(db->execute("PRAGMA foreign_keys").cells.at(0)), 1);
  const auto fk = error_of([&] { db->execute("INSERT INTO child(t_id) VALUES (42)"); });
  EXPECT_EQ(fk.code(), Errc::constraint);
  EXPECT_EQ(fk.native_code(), SQLITE_CONSTRAINT_FOREIGNKEY);
  // While one connection is held by a transaction, another one answers: same settings.
  db->transaction([&](Transaction&) {
    std::int64_t other = -1;
    std::thread([&] { other = as_int(db->execute("PRAGMA foreign_keys").cells.at(0)); }).join();
    EXPECT_EQ(other, 1);
  });
}

TEST_F(SqliteDriverTest, SyntaxErrorIsMisuse) {
  const auto e = error_of([&] { db->execute("SELEC 1"); });
  EXPECT_EQ(e.code(), Errc::misuse);
  EXPECT_EQ(error_of([&] { db->execute("SELECT * FROM no_such_table"); }).code(), Errc::misuse);
  EXPECT_EQ(error_of([&] { db->execute(""); }).code(), Errc::misuse);
}

TEST_F(SqliteDriverTest, TwoStatementsInOneStringAreMisuseAndRunNothing) {
  const auto e = error_of([&] { db->execute("INSERT INTO t(v) VALUES (1); INSERT INTO t(v) VALUES (2)"); });
  EXPECT_EQ(e.code(), Errc::misuse);
  EXPECT_EQ(count(), 0);
  // A trailing semicolon and whitespace are one statement.
  EXPECT_NO_THROW(db->execute("INSERT INTO t(v) VALUES (1);  \n"));
  EXPECT_EQ(count(), 1);
}

TEST_F(SqliteDriverTest, DoubleQuotedStringLiteralsAreRejected) {
  EXPECT_EQ(error_of([&] { db->execute(R"(SELECT "not a column")"); }).code(), Errc::misuse);
  EXPECT_EQ(error_of([&] { db->execute(R"(CREATE TABLE d(x TEXT CHECK (x <> "abc")))"); }).code(), Errc::misuse);
  db->transaction([&](Transaction&) {
    Errc other = Errc::internal;
    std::thread([&] { other = error_of([&] { db->execute(R"(SELECT "x")"); }).code(); }).join();
    EXPECT_EQ(other, Errc::misuse);
  });
}

TEST_F(SqliteDriverTest, BatchIsAtomic) {
  const Statement statements[] = {{"INSERT INTO t(u) VALUES ('one')", {}},
                                  {"INSERT INTO t(u) VALUES (?)", {std::string("two")}},
                                  {"INSERT INTO t(u) VALUES ('one')", {}}};
  EXPECT_EQ(error_of([&] { db->batch(statements); }).code(), Errc::constraint);
  EXPECT_EQ(count(), 0);
  const Statement bad_sql[] = {{"INSERT INTO t(u) VALUES ('one')", {}}, {"INSERT INTO t(u) VALUES ('two')", {}}, {"NOPE", {}}};
  EXPECT_EQ(error_of([&] { db->batch(bad_sql); }).code(), Errc::misuse);
  EXPECT_EQ(count(), 0);
  const Statement good[] = {{"INSERT INTO t(u) VALUES ('one')", {}}, {"SELECT u FROM t", {}}};
  const auto results = db->batch(good);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].rows_affected, 1);
  EXPECT_EQ(results[1].row_count(), 1u);
}

TEST_F(SqliteDriverTest, TransactionCommitsOrRollsBack) {
  db->transaction([](Transaction& tx) { tx.execute("INSERT INTO t(v) VALUES (1)"); });
  EXPECT_EQ(count(), 1);
  EXPECT_THROW(db->transaction([](Transaction& tx) {
    tx.execute("INSERT INTO t(v) VALUES (2)");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_EQ(count(), 1);
  EXPECT_EQ(error_of([&] {
              db->transaction([](Transaction& tx) {
                tx.execute("INSERT INTO t(u) VALUES ('dup')");
                tx.execute("INSERT INTO t(u) VALUES ('dup')");
              });
            }).code(),
            Errc::constraint);
  EXPECT_EQ(count(), 1);
  // The pool is usable after a rollback (no connection left inside a transaction).
  db->transaction([](Transaction& tx) { tx.execute("INSERT INTO t(v) VALUES (3)"); });
  EXPECT_EQ(count(), 2);
}

TEST_F(SqliteDriverTest, SavepointRollsBackOnlyItself) {
  db->transaction([](Transaction& tx) {
    tx.execute("INSERT INTO t(v) VALUES ('outer')");
    EXPECT_THROW(tx.savepoint([](Transaction& inner) {
      inner.execute("INSERT INTO t(v) VALUES ('inner')");
      throw std::runtime_error("inner fails");
    }),
                 std::runtime_error);
    tx.savepoint([](Transaction& inner) { inner.execute("INSERT INTO t(v) VALUES ('inner ok')"); });
    const Statement in_batch[] = {{"INSERT INTO t(v) VALUES ('batch')", {}}, {"BROKEN", {}}};
    EXPECT_THROW(tx.batch(in_batch), Error);
  });
  const auto r = db->execute("SELECT v FROM t ORDER BY id");
  ASSERT_EQ(r.row_count(), 2u);
  EXPECT_EQ(r.row(0)[0], Value(std::string("outer")));
  EXPECT_EQ(r.row(1)[0], Value(std::string("inner ok")));
}

TEST_F(SqliteDriverTest, ParallelReadsFromSeveralThreads) {
  db->transaction([](Transaction& tx) {
    for (std::int64_t i = 0; i < 100; ++i) {
      const Value p[] = {i};
      tx.execute("INSERT INTO t(v) VALUES (?)", p);
    }
  });
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < 200; ++i) {
        const auto r = db->execute("SELECT count(*), sum(v) FROM t");
        if (as_int(r.cells.at(0)) != 100 || as_int(r.cells.at(1)) != 4950) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(SqliteDriverTest, ReturningLeavesNoOpenReadTransaction) {
  for (int i = 0; i < 3; ++i) {
    const auto r = db->execute("INSERT INTO t(v) VALUES ('x') RETURNING id, v");
    ASSERT_EQ(r.row_count(), 1u);
    EXPECT_EQ(r.rows_affected, 1);
    EXPECT_EQ(r.last_insert_rowid, as_int(r.cells.at(0)));
  }
  db->execute("SELECT * FROM t");
  // Another connection can checkpoint and truncate the WAL: nobody holds a read snapshot.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path().c_str(), &other, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  // A first read makes the new connection see that the file is in WAL mode.
  ASSERT_EQ(sqlite3_exec(other, "SELECT count(*) FROM t", nullptr, nullptr, nullptr), SQLITE_OK);
  int log_frames = -1, checkpointed = -1;
  const int rc = sqlite3_wal_checkpoint_v2(other, "main", SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &checkpointed);
  sqlite3_close_v2(other);
  EXPECT_EQ(rc, SQLITE_OK) << sqlite3_errstr(rc);
  EXPECT_EQ(log_frames, 0);
}


TEST_F(SqliteDriverTest, BatchErrorNamesTheFailingStatement) {
  const Statement statements[] = {{"INSERT INTO t(u) VALUES ('a')", {}},
                                  {"INSERT INTO t(u) VALUES ('a')", {}},
                                  {"INSERT INTO t(u) VALUES ('b')", {}}};
  try {
    db->batch(statements);
    FAIL() << "the duplicate was accepted";
  } catch (const BatchError& e) {
    EXPECT_EQ(e.statement_index(), 1u);
    EXPECT_EQ(e.code(), Errc::constraint);
    EXPECT_EQ(e.native_code(), SQLITE_CONSTRAINT_UNIQUE);
  }
  EXPECT_EQ(count(), 0);
}

TEST_F(SqliteDriverTest, ExecuteEachGivesEveryStatementItsOwnOutcome) {
  const Statement statements[] = {{"INSERT INTO t(u) VALUES ('a')", {}},
                                  {"SELECT * FROM missing_table", {}},
                                  {"SELECT count(*) FROM t", {}}};
  const auto outcomes = db->execute_each(statements);
  ASSERT_EQ(outcomes.size(), 3u);
  ASSERT_TRUE(outcomes[0].result);
  EXPECT_FALSE(outcomes[0].error);
  EXPECT_EQ(outcomes[0].result->rows_affected, 1);
  ASSERT_TRUE(outcomes[1].error);
  EXPECT_FALSE(outcomes[1].result);
  EXPECT_NE(std::string(outcomes[1].error->what()).find("missing_table"), std::string::npos)
      << outcomes[1].error->what();
  ASSERT_TRUE(outcomes[2].result);
  EXPECT_EQ(as_int(outcomes[2].result->cells.at(0)), 1);  // not atomic: the insert stays
}

}  // namespace
}  // namespace ds::db
