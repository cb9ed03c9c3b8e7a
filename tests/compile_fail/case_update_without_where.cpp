// expect: UNBOUNDED WRITE
// An UPDATE without where() would rewrite every row: it needs where() or all_rows().
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"

using namespace ds::db::core;

std::int64_t f(ds::db::query::Db& db) {
  return db.update(projects).set({.name = "x"}).run();
}
