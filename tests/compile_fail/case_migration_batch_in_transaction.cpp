// expect: has no member named
// A migration batch switches foreign keys off around its own transaction, so it cannot run
// inside another one: a transaction body's type does not offer it.
#include "db/connection.hpp"

void f(ds::db::Connection& db) {
  db.transaction([](ds::db::Transaction& tx) { tx.migration_batch({}); });
}
