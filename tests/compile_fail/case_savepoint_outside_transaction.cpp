// expect: TRANSACTION ONLY
// A savepoint exists only inside a transaction: the database itself has none.
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"

using namespace ds::db::core;

void f(ds::db::query::Db& db) {
  db.savepoint(
      [](ds::db::query::Tx& tx) { tx.delete_from(projects).where(projects.id == "p").run(); });
}
