// The same queries and tables written correctly: this file must compile.
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"
#include "db/schema/walk.hpp"

using namespace ds::db::core;
using namespace ds::db::dsl;

template <template <FixedString, class, class...> class Column>
struct LinkColumns {
  Column<"project_id", Text, NotNull> project_id{};
  Column<"user_id", Text, NotNull> user_id{};
  Column<"parent_id", Text, ReferencesSelf<"project_id">> parent_id{};
};
struct Link : Table<Link, "link", LinkColumns> {
  static std::vector<Constraint> constraints();
};
inline constexpr Link links{};
std::vector<Constraint> Link::constraints() {
  return {foreign_key(links.project_id, links.user_id).references(projects.id, projects.user_id)};
}

std::size_t f(ds::db::query::Db& db) {
  db.insert(projects).values({.id = "p1", .name = "n"}).run();
  auto joined = db.select(projects.name, auth_user.email)
                    .from(projects)
                    .left_join(auth_user, projects.user_id == auth_user.id)
                    .where(projects.name == "n" && auth_user.email == "a@b")
                    .all();
  const ds::db::Statement s = db.select(projects).where(projects.name == "x").statement();
  db.update(projects).set({.name = "y"}).all_rows().run();
  db.delete_from(projects).where(projects.name == "y").run();
  db.transaction([](ds::db::query::Tx& tx) {
    tx.savepoint([](ds::db::query::Tx& inner) { inner.delete_from(projects).all_rows().run(); });
  });
  return joined.size() + db.select(projects).where(projects.name == "x").all().size() +
         describe<Link>().foreign_keys.size() + s.params.size();
}
