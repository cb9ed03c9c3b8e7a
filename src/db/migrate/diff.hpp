#pragma once
// The difference between two schemas as migration SQL, in drizzle-kit 0.31's statement order,
// except where drizzle-kit is wrong (the rebuild's copy list, renames lost before a rebuild,
// foreign-key actions of an added column, unique constraints in a rebuild).
#include <string>
#include <vector>

#include "db/migrate/snapshot.hpp"
#include "db/schema/model.hpp"

namespace ds::db::migrate {

struct SchemaDiff {
  std::vector<std::string> statements;  // empty: nothing changed
  // A table or column that disappeared while another appeared, with no rename given: the
  // text says what will be dropped and which `--rename` flag to use if it is a rename.
  std::vector<std::string> likely_renames;
};

// Throws ds::Error(validation) when a rename names a table or column that does not exist on
// its side of the change.
SchemaDiff diff_schemas(const schema::Schema& before, const schema::Schema& after, const Renames& renames);

}  // namespace ds::db::migrate
