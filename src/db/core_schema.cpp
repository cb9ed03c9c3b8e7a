#include "db/core_schema.hpp"

#include "db/schema.sqlite.hpp"
#include "db/schema/walk.hpp"

namespace ds::db {

const schema::Schema& core_schema() {
  static const schema::Schema schema =
      dsl::describe_all<core::AuthUser, core::Projects, core::GlobalSettingGroups, core::GlobalSettings>();
  return schema;
}

}  // namespace ds::db
