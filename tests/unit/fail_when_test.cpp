// db::fail_when on a real SQLite file: a guard statement that fails only when its condition
// holds, and undoes the whole batch it is part of.
#include "db/fail_when.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "support/temp_dir.hpp"

namespace ds::db {
namespace {

class FailWhenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = open_sqlite(dir / "g.db", OpenMode::create_if_missing);
    db->execute("CREATE TABLE t(v TEXT)");
  }
  std::int64_t count() { return std::get<std::int64_t>(db->execute("SELECT count(*) FROM t").cells.at(0)); }

  test::TempDir dir;
  std::shared_ptr<Connection> db;
  // Fails unless t holds exactly ?1 rows.
  const std::string guard = fail_when("(SELECT count(*) FROM t) <> ?1");
};

TEST_F(FailWhenTest, PassesWhenTheBoundConditionIsFalseAndFailsWhenTrue) {
  db->execute("INSERT INTO t VALUES ('a')");
  const Value one[] = {std::int64_t{1}};
  EXPECT_NO_THROW(db->execute(guard, one));
  const Value two[] = {std::int64_t{2}};
  EXPECT_THROW(db->execute(guard, two), Error);
}

TEST_F(FailWhenTest, AFailingGuardInABatchIsNamedByItsIndexAndWritesNothing) {
  const Statement failing[] = {{"INSERT INTO t VALUES ('a')", {}},
                               {"INSERT INTO t VALUES ('b')", {}},
                               {guard, {std::int64_t{0}}},  // sees the two rows just written
                               {"INSERT INTO t VALUES ('c')", {}}};
  try {
    db->batch(failing);
    FAIL() << "the guard did not fail";
  } catch (const BatchError& e) {
    EXPECT_EQ(e.statement_index(), 2u);
  }
  EXPECT_EQ(count(), 0);

  const Statement passing[] = {{"INSERT INTO t VALUES ('a')", {}}, {guard, {std::int64_t{1}}}};
  db->batch(passing);
  EXPECT_EQ(count(), 1);
}

}  // namespace
}  // namespace ds::db
