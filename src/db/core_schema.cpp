#include "db/core_schema.hpp"

namespace ds::db {

// Placeholder until the typed schema lands: the DSL's walk of schema.sqlite.hpp replaces it.
const schema::Schema& core_schema() {
  static const schema::Schema schema{};
  return schema;
}

}  // namespace ds::db
