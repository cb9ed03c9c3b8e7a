// The SQLite driver's migration_batch: atomic, foreign keys off while it runs (no cascades
// from a table rebuild), checked before COMMIT, and back on afterwards.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/error.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "support/temp_dir.hpp"

namespace ds::db {
namespace {

class SqliteMigrationBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = open_sqlite(dir / "m.db", OpenMode::create_if_missing);
    db->execute("CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT)");
    db->execute(
        "CREATE TABLE child(id INTEGER PRIMARY KEY, "
        "parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE)");
    db->execute("INSERT INTO parent VALUES (1, 'p')");
    db->execute("INSERT INTO child(parent_id) VALUES (1), (1)");
  }
  std::int64_t scalar(std::string_view sql) { return std::get<std::int64_t>(db->execute(sql).cells.at(0)); }

  test::TempDir dir;
  std::shared_ptr<Connection> db;
};

// The rebuild drizzle-kit writes for a changed table: create new, copy, drop old, rename.
const Statement kRebuildParent[] = {
    {"CREATE TABLE __new_parent(id INTEGER PRIMARY KEY, name TEXT, extra TEXT)", {}},
    {"INSERT INTO __new_parent(id, name) SELECT id, name FROM parent", {}},
    {"DROP TABLE parent", {}},
    {"ALTER TABLE __new_parent RENAME TO parent", {}}};

TEST_F(SqliteMigrationBatchTest, ForeignKeyViolationRollsBackNamingTheTables) {
  const Statement statements[] = {{"INSERT INTO parent VALUES (2, 'written')", {}},
                                  {"INSERT INTO child(parent_id) VALUES (99)", {}}};
  try {
    db->migration_batch(statements);
    FAIL() << "the dangling child row was committed";
  } catch (const BatchError& e) {
    FAIL() << "a violation found after the statements is no statement's fault: " << e.what();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::constraint);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'child'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'parent'"), std::string::npos) << msg;
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM parent"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM child"), 2);
}

TEST_F(SqliteMigrationBatchTest, ForeignKeysAreBackOnAfterwardsOnTheSameHandle) {
  // One thread: the pool hands back the handle the migration batch used.
  const auto expect_enforced = [&] {
    EXPECT_EQ(scalar("PRAGMA foreign_keys"), 1);
    try {
      db->execute("INSERT INTO child(parent_id) VALUES (99)");
      ADD_FAILURE() << "foreign keys stayed off";
    } catch (const Error& e) {
      EXPECT_EQ(e.native_code(), SQLITE_CONSTRAINT_FOREIGNKEY);
    }
  };
  const Statement dangling[] = {{"INSERT INTO child(parent_id) VALUES (99)", {}}};
  EXPECT_THROW(db->migration_batch(dangling), Error);
  expect_enforced();
  db->migration_batch(kRebuildParent);
  expect_enforced();
}

TEST_F(SqliteMigrationBatchTest, RebuildingAParentKeepsItsChildren) {
  const auto results = db->migration_batch(kRebuildParent);
  EXPECT_EQ(results.size(), 4u);
  EXPECT_EQ(scalar("SELECT count(*) FROM child"), 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM parent"), 1);
  EXPECT_EQ(db->execute("PRAGMA foreign_key_check").row_count(), 0u);
}

// The premise of the test above: with foreign keys on, the same rebuild loses the children.
TEST_F(SqliteMigrationBatchTest, RebuildingAParentInAPlainBatchCascades) {
  db->batch(kRebuildParent);
  EXPECT_EQ(scalar("SELECT count(*) FROM child"), 0);
}

}  // namespace
}  // namespace ds::db
