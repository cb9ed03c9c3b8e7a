// expect: FOREIGN KEY MISMATCH
// A composite foreign key of two columns referencing one column.
#include "db/schema.sqlite.hpp"

using namespace ds::db::dsl;
using ds::db::core::projects;

template <template <FixedString, class, class...> class Column>
struct LinkColumns {
  Column<"project_id", Text, NotNull> project_id{};
  Column<"user_id", Text, NotNull> user_id{};
};
struct Link : Table<Link, "link", LinkColumns> {
  static std::vector<Constraint> constraints();
};
inline constexpr Link links{};
std::vector<Constraint> Link::constraints() {
  return {foreign_key(links.project_id, links.user_id).references(projects.id)};
}
