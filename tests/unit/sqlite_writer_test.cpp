// The SQLite writer's group commit, seen through the driver: writes queued while another one
// runs commit together, each in its own savepoint.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "db/sqlite/sqlite_database.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace ds;
using namespace ds::db;

std::int64_t count(Connection& db) {
  return std::get<std::int64_t>(db.execute("SELECT count(*) FROM t").cells.at(0));
}

// Holds the writer in a transaction until released, so that writes queue behind it.
class HeldWriter {
 public:
  explicit HeldWriter(Connection& db) {
    holder_ = std::thread([&db, this] {
      db.transaction([&](Transaction& tx) {
        tx.execute("INSERT INTO t VALUES (0)");
        entered_.set_value();
        release_.get_future().wait();
      });
    });
    entered_.get_future().wait();
  }
  ~HeldWriter() {
    if (holder_.joinable()) release();
  }
  void release() {
    release_.set_value();
    holder_.join();
  }

 private:
  std::promise<void> entered_, release_;
  std::thread holder_;
};

void wait_until_queued(const Connection& db, std::uint64_t waiting) {
  while (sqlite_write_stats(db)->waiting < waiting) std::this_thread::yield();
}

TEST(SqliteWriter, AConstraintErrorInAGroupFailsOnlyItsOwnWrite) {
  test::TempDir dir;
  auto db = open_sqlite(dir / "w.db", OpenMode::create_if_missing);
  db->execute("CREATE TABLE t (v INTEGER UNIQUE)");
  db->execute("INSERT INTO t VALUES (100)");
  const auto before = *sqlite_write_stats(*db);

  HeldWriter held(*db);
  constexpr int kWrites = 6;
  std::vector<std::optional<Errc>> errors(kWrites);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWrites; ++i) {
    writers.emplace_back([&, i] {
      // Write 3 repeats the value 100, which is already stored.
      const std::int64_t v = i == 3 ? 100 : i + 1;
      try {
        db->execute("INSERT INTO t VALUES (?)", std::vector<Value>{v});
      } catch (const Error& e) {
        errors[static_cast<std::size_t>(i)] = e.code();
      }
    });
  }
  wait_until_queued(*db, 1 + kWrites);  // the held transaction and the six behind it
  held.release();
  for (auto& w : writers) w.join();

  for (int i = 0; i < kWrites; ++i) {
    if (i == 3) {
      EXPECT_EQ(errors[3], Errc::constraint);
    } else {
      EXPECT_EQ(errors[static_cast<std::size_t>(i)], std::nullopt) << "write " << i;
    }
  }
  EXPECT_EQ(count(*db), 1 + 1 + (kWrites - 1));  // 100, the held 0, the five others
  const auto after = *sqlite_write_stats(*db);
  EXPECT_EQ(after.writes - before.writes, 1u + kWrites);
  EXPECT_EQ(after.groups - before.groups, 2u) << "the six queued writes commit as one group";
  EXPECT_EQ(after.largest_group, static_cast<std::uint64_t>(kWrites));
  EXPECT_EQ(after.waiting, 0u);
}

TEST(SqliteWriter, TransactionsInAGroupKeepTheirOwnAtomicity) {
  test::TempDir dir;
  auto db = open_sqlite(dir / "w.db", OpenMode::create_if_missing);
  db->execute("CREATE TABLE t (v INTEGER UNIQUE)");
  HeldWriter held(*db);
  std::atomic<int> failed{0};
  std::thread good([&] {
    db->transaction([](Transaction& tx) {
      tx.execute("INSERT INTO t VALUES (1)");
      tx.execute("INSERT INTO t VALUES (2)");
    });
  });
  std::thread bad([&] {
    try {
      db->transaction([](Transaction& tx) {
        tx.execute("INSERT INTO t VALUES (3)");
        tx.execute("INSERT INTO t VALUES (1)");  // may clash with `good`, or fail below
        throw Error(Errc::validation, "the body gives up");
      });
    } catch (const Error&) {
      failed.fetch_add(1);
    }
  });
  wait_until_queued(*db, 3);
  held.release();
  good.join();
  bad.join();
  EXPECT_EQ(failed.load(), 1);
  // `good` and the held transaction committed; nothing of `bad` did.
  EXPECT_EQ(count(*db), 3);
  EXPECT_EQ(std::get<std::int64_t>(db->execute("SELECT count(*) FROM t WHERE v = 3").cells.at(0)),
            0);
}

TEST(SqliteWriter, AWriteThroughTheConnectionInsideABodyIsMisuseNotADeadlock) {
  test::TempDir dir;
  auto db = open_sqlite(dir / "w.db", OpenMode::create_if_missing);
  db->execute("CREATE TABLE t (v INTEGER)");
  db->transaction([&](Transaction& tx) {
    tx.execute("INSERT INTO t VALUES (1)");
    try {
      db->execute("INSERT INTO t VALUES (2)");
      ADD_FAILURE() << "expected misuse";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::misuse);
    }
    // Reads through the Connection still work: they use the reader pool.
    EXPECT_EQ(count(*db), 0);
  });
  EXPECT_EQ(count(*db), 1);
}

TEST(SqliteWriter, SustainedWritesKeepTheWalBounded) {
  test::TempDir dir;
  auto db = open_sqlite(dir / "w.db", OpenMode::create_if_missing);
  db->execute("CREATE TABLE t (v INTEGER, pad BLOB)");
  std::atomic<bool> stop{false};
  // A reader that never pauses: what starved SQLite's own checkpoints.
  std::thread reader([&] {
    while (!stop.load()) (void)count(*db);
  });
  const Blob pad(3000, 7);
  for (int i = 0; i < 20000; ++i)
    db->execute("INSERT INTO t VALUES (?, ?)", std::vector<Value>{std::int64_t{i}, pad});
  stop.store(true);
  reader.join();
  const auto stats = *sqlite_write_stats(*db);
  EXPECT_GT(stats.checkpoints, 0u);
  // 20,000 pages and more were written; the WAL file stays far below that (64 MiB at most).
  const auto wal_bytes = std::filesystem::file_size(dir / "w.db-wal");
  EXPECT_LT(wal_bytes, std::uintmax_t{64} << 20) << "WAL of " << wal_bytes << " bytes";
}

}  // namespace
