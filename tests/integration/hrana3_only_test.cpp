// The driver against a server that follows only the Hrana 3 spec (serves /v3/pipeline,
// answers 404 on /v2/pipeline): a v3-only server is set up and used like any other.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "db/turso/turso_database.hpp"
#include "support/hrana_test_server.hpp"
#include "support/temp_dir.hpp"

using ds::db::Statement;

namespace {

TEST(Hrana3OnlyServer, DriverOpensExecutesBatchesAndCommits) {
  ds::test::TempDir dir;
  ds::test::HranaTestServer server(dir.path(), {.versions = "3", .token = "t3"});
  auto db = ds::db::open_turso({.url = server.url(), .token = ds::Secret("t3")});
  db->execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
  EXPECT_EQ(db->execute("INSERT INTO t (name) VALUES ('a')").rows_affected, 1);
  const Statement two[] = {{"INSERT INTO t (name) VALUES ('b')", {}},
                           {"INSERT INTO t (name) VALUES ('c')", {}}};
  EXPECT_EQ(db->batch(two).size(), 2u);
  const Statement failing[] = {{"INSERT INTO t (name) VALUES ('d')", {}},
                               {"INSERT INTO t (name) VALUES ('a')", {}}};
  EXPECT_THROW(db->batch(failing), ds::Error);
  db->transaction([](ds::db::Transaction& tx) { tx.execute("INSERT INTO t (name) VALUES ('e')"); });
  EXPECT_THROW(db->transaction([](ds::db::Transaction& tx) {
    tx.execute("INSERT INTO t (name) VALUES ('f')");
    throw std::runtime_error("rolled back");
  }),
               std::runtime_error);
  EXPECT_EQ(std::get<std::int64_t>(db->execute("SELECT count(*) FROM t").cells.at(0)), 4);
  EXPECT_TRUE(db->sends_close());
}

}  // namespace
