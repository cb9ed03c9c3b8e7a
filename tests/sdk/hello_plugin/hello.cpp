// The smallest useful plugin: one table (created by its migration, seeded with one row) and
// one route, GET /api/plugin/hello/ping, that reads the row with a typed query.
#include <nlohmann/json.hpp>

#include "db/query.hpp"
#include "db/schema/walk.hpp"
#include "plugins/plugin.hpp"

namespace hello {
using namespace ds::db::dsl;

template <template <FixedString, class, class...> class Column>
struct GreetingsColumns {
  Column<"id", Integer, PrimaryKey> id{};
  Column<"text", Text, NotNull> text{};
};
struct Greetings : Table<Greetings, "hello_greetings", GreetingsColumns> {};
inline constexpr Greetings greetings{};

class Hello final : public ds::plugins::Plugin {
 public:
  ds::plugins::Metadata metadata() const override {
    return {.id = "hello", .name = "Hello", .version = "1.0.0", .description = "Answers a ping"};
  }

  ds::plugins::DatabaseExtension database_extension() const override {
    ds::plugins::DatabaseExtension ext;
    ext.tables = {describe<Greetings>()};
    ext.on_database_init = [](ds::db::Transaction& tx) {  // runs at every start: idempotent
      ds::db::query::Tx(tx)
          .insert(greetings)
          .values({.id = 1, .text = "hello"})
          .on_conflict_do_nothing()
          .run();
    };
    return ext;
  }

  void register_routes(ds::plugins::Routes& routes) override {
    routes.add(ds::http::Method::get, "/ping",
               [database = routes.database()](const ds::http::Request&) {
                 const auto db = database.get();
                 const auto row = ds::db::query::Db(*db)
                                      .select(greetings)
                                      .where(greetings.id == std::int64_t{1})
                                      .first();
                 const nlohmann::json body = {
                     {"pong", true}, {"greeting", row ? nlohmann::json(row->text) : nullptr}};
                 return ds::http::Response::json(200, body.dump());
               });
  }
};

}  // namespace hello

DEPLOYSTACK_PLUGIN(hello::Hello)
