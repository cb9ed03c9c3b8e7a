// The migration runner against a real SQLite file: how many calls reach the database, and
// what happens when another runner gets there between the read and the write.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.hpp"
#include "db/migrate/journal.hpp"
#include "db/migrate/runner.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "support/counting_connection.hpp"
#include "support/temp_dir.hpp"

namespace ds::db::migrate {
namespace {

using test::CountingConnection;

std::string tag_of(int i) { return fmt::format("{:04}_m{}", i, i); }

// A folder of `count` migrations; migration i creates table t<i> and writes one row to it.
// Folders made with the same `count` prefix hold identical files (same hashes).
MigrationFolder make_folder(const std::filesystem::path& dir, int count) {
  std::filesystem::create_directories(dir / "meta");
  Journal journal;
  for (int i = 0; i < count; ++i) {
    journal.entries.push_back({i, "6", 1700000000000 + i, tag_of(i), true});
    std::ofstream(dir / (tag_of(i) + ".sql"))
        << fmt::format("CREATE TABLE `t{0}` (`id` integer PRIMARY KEY NOT NULL);\n"
                       "--> statement-breakpoint\nINSERT INTO `t{0}` VALUES (1);",
                       i);
  }
  std::ofstream(dir / "meta" / "_journal.json") << to_json(journal);
  return MigrationFolder(dir);
}

class MigrateRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override { db = open_sqlite(dir / "db.sqlite", OpenMode::create_if_missing); }
  bool has_table(int i) {
    const Value name[] = {fmt::format("t{}", i)};
    return db->execute("SELECT 1 FROM sqlite_master WHERE name = ?", name).row_count() == 1;
  }
  std::int64_t tracked() {
    return std::get<std::int64_t>(db->execute("SELECT count(*) FROM __drizzle_migrations").cells.at(0));
  }

  test::TempDir dir;
  std::shared_ptr<Connection> db;
};

TEST_F(MigrateRunnerTest, TenPendingMigrationsAreOneReadAndOneMigrationBatch) {
  const auto folder = make_folder(dir / "migrations", 10);
  CountingConnection counting(*db);
  const auto result = apply_migrations(counting, folder);
  EXPECT_EQ(result.applied.size(), 10u);
  EXPECT_EQ(counting.execute_eaches, 1);
  EXPECT_EQ(counting.migration_batches, 1);
  EXPECT_EQ(counting.executes + counting.batches + counting.transactions, 0);
  EXPECT_TRUE(has_table(9));
  EXPECT_EQ(tracked(), 10);
}

TEST_F(MigrateRunnerTest, NothingPendingIsOneReadAndNoBatch) {
  const auto folder = make_folder(dir / "migrations", 10);
  apply_migrations(*db, folder);
  CountingConnection counting(*db);
  EXPECT_TRUE(apply_migrations(counting, folder).applied.empty());
  EXPECT_EQ(counting.execute_eaches, 1);
  EXPECT_EQ(counting.migration_batches, 0);
  EXPECT_EQ(counting.executes + counting.batches + counting.transactions, 0);
}

// A server may list table names in another case in sqlite_master (SQLite identifiers ignore
// ASCII case): the tracking table is still found, and nothing is applied twice.
TEST_F(MigrateRunnerTest, TheTrackingTableIsFoundWhateverTheCaseOfItsName) {
  const auto folder = make_folder(dir / "migrations", 3);
  apply_migrations(*db, folder);
  db->execute("ALTER TABLE __drizzle_migrations RENAME TO tracking_tmp");  // a case-only
  db->execute("ALTER TABLE tracking_tmp RENAME TO __DRIZZLE_MIGRATIONS");  // rename is refused
  EXPECT_TRUE(apply_migrations(*db, folder).applied.empty());
  EXPECT_EQ(tracked(), 3);
}

// Another runner records migrations 2 and 3 between this runner's read and its batch.
class ConcurrentRunner final : public CountingConnection {
 public:
  ConcurrentRunner(Connection& inner, const std::vector<Migration>& theirs)
      : CountingConnection(inner), theirs_(theirs) {}
  std::vector<Result> migration_batch(std::span<const Statement> statements) override {
    if (migration_batches == 0) {
      for (const auto& m : theirs_) {
        const Value row[] = {m.hash, m.entry.when};
        inner().execute("INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)", row);
      }
    }
    return CountingConnection::migration_batch(statements);
  }

 private:
  std::vector<Migration> theirs_;
};

TEST_F(MigrateRunnerTest, AConcurrentRunnerMakesItReadAgainAndApplyOnlyWhatIsLeft) {
  apply_migrations(*db, make_folder(dir / "first_two", 2));
  const auto folder = make_folder(dir / "migrations", 10);
  const auto all = folder.migrations();
  ConcurrentRunner counting(*db, {all[2], all[3]});

  const auto result = apply_migrations(counting, folder);
  const std::vector<std::string> left{tag_of(4), tag_of(5), tag_of(6), tag_of(7), tag_of(8), tag_of(9)};
  EXPECT_EQ(result.applied, left);
  EXPECT_EQ(counting.execute_eaches, 2);
  EXPECT_EQ(counting.migration_batches, 2);
  // The first batch (which would have created t2 and t3) was rolled back by its guard.
  EXPECT_FALSE(has_table(2));
  EXPECT_FALSE(has_table(3));
  EXPECT_TRUE(has_table(4));
  EXPECT_EQ(tracked(), 10);
}

}  // namespace
}  // namespace ds::db::migrate
