// expect: UNBOUNDED WRITE
// A DELETE without where() would empty the table: it needs where() or all_rows().
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"

using namespace ds::db::core;

ds::db::Statement f(ds::db::query::Db& db) {
  return db.delete_from(projects).statement();
}
