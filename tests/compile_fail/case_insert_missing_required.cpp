// expect: MISSING REQUIRED COLUMN
// Inserting a project without its NOT NULL `name` (which has no default).
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"

using namespace ds::db::core;

std::int64_t f(ds::db::query::Db& db) { return db.insert(projects).values({.id = "p1"}).run(); }
