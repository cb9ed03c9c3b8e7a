// The same queries written correctly: this file must compile.
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"

using namespace ds::db::core;

std::size_t f(ds::db::query::Db& db) {
  db.insert(projects).values({.id = "p1", .name = "n"}).run();
  auto joined = db.select(projects.name, auth_user.email)
                    .from(projects)
                    .left_join(auth_user, projects.user_id == auth_user.id)
                    .where(projects.name == "n" && auth_user.email == "a@b")
                    .all();
  return joined.size() + db.select(projects).where(projects.name == "x").all().size();
}
