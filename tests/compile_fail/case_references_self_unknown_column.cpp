// expect: UNKNOWN COLUMN
// A self-reference naming a column the table does not have ("uid" for "id").
#include "db/schema.sqlite.hpp"
#include "db/schema/walk.hpp"

using namespace ds::db::dsl;

template <template <FixedString, class, class...> class Column>
struct NodeColumns {
  Column<"id", Text, PrimaryKey> id{};
  Column<"parent_id", Text, ReferencesSelf<"uid">> parent_id{};
};
struct Node : Table<Node, "node", NodeColumns> {};

ds::db::schema::Table f() {
  return describe<Node>();
}
