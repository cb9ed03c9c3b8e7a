// expect: UNNAMED TABLE
// Filtering on authUser while the query only names projects.
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"

using namespace ds::db::core;

std::size_t f(ds::db::query::Db& db) {
  return db.select(projects).where(auth_user.email == "a@b").all().size();
}
