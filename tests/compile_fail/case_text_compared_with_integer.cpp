// expect: TYPE MISMATCH
// Comparing a text column with an integer.
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"

using namespace ds::db::core;

std::size_t f(ds::db::query::Db& db) { return db.select(projects).where(projects.name == 42).all().size(); }
