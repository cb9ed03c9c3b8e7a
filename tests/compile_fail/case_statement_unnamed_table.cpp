// expect: UNNAMED TABLE
// Building (not running) a statement that filters on a table the query does not name.
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"

using namespace ds::db::core;

ds::db::Statement f(ds::db::query::Db& db) {
  return db.select(projects).where(auth_user.email == "a@b").statement();
}
