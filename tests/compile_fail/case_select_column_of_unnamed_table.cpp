// expect: UNNAMED TABLE
// Selecting a column of authUser from projects, without a join.
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"

using namespace ds::db::core;

std::size_t f(ds::db::query::Db& db) { return db.select(projects.name, auth_user.email).from(projects).all().size(); }
