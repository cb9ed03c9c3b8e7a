// expect: NESTED TRANSACTION
// A transaction does not nest: inside one, a part that may fail alone is a savepoint.
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"

using namespace ds::db::core;

void f(ds::db::query::Db& db) {
  db.transaction([](ds::db::query::Tx& tx) {
    tx.transaction([](ds::db::query::Tx& inner) {
      inner.delete_from(projects).where(projects.id == "p").run();
    });
  });
}
