#pragma once
// The core tables (defined with the typed DSL in db/schema.sqlite.hpp) as a runtime model,
// for the migration engine: `db generate` diffs it against the latest snapshot.
#include "db/schema/model.hpp"

namespace ds::db {

const schema::Schema& core_schema();

}  // namespace ds::db
