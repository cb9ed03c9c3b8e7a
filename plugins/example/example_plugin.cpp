// The example plugin: one table with a foreign key to a core table, one setting, one seed row
// and two routes. CMake builds it more than once to test the host (see CMakeLists.txt):
// EXAMPLE_SCHEMA_VERSION 1 gives notes a title only, 2 (the current one) adds a body.
#include <nlohmann/json.hpp>

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "db/schema.sqlite.hpp"
#include "db/schema/walk.hpp"
#include "http/errors.hpp"
#include "http/json_body.hpp"
#include "plugins/plugin.hpp"

#ifndef EXAMPLE_SCHEMA_VERSION
#define EXAMPLE_SCHEMA_VERSION 2
#endif
#ifndef EXAMPLE_PLUGIN_ID
#define EXAMPLE_PLUGIN_ID "example"
#endif

namespace example {
using namespace ds::db::dsl;

template <template <FixedString, class, class...> class Column>
struct NotesColumns {
  Column<"id", Text, PrimaryKey> id{};
  Column<"project_id", Text, References<ds::db::core::projects.id, OnDelete<Action::cascade>>> project_id{};
  Column<"title", Text, NotNull> title{};
#if EXAMPLE_SCHEMA_VERSION >= 2
  Column<"body", Text> body{};
#endif
  Column<"created_at", Timestamp, NotNull, DefaultFn<ds::now_ms>> created_at{};
};
struct Notes : Table<Notes, EXAMPLE_PLUGIN_ID "_notes", NotesColumns> {};

constexpr ds::settings::SettingDefinition kSettings[] = {
    {.key = "example.greeting", .name = "Greeting", .type = ds::settings::SettingType::string,
     .default_value = "Hello from the example plugin",
     .description = "Shown by the example plugin's notes list"},
};

constexpr std::string_view kWelcomeId = "example-welcome";

nlohmann::json note_json(std::span<const ds::db::Value> row) {
  auto text_or_null = [](const ds::db::Value& v) {
    return ds::db::is_null(v) ? nlohmann::json(nullptr) : nlohmann::json(std::get<std::string>(v));
  };
  nlohmann::json note = {{"id", std::get<std::string>(row[0])},
                         {"projectId", text_or_null(row[1])},
                         {"title", std::get<std::string>(row[2])}};
#if EXAMPLE_SCHEMA_VERSION >= 2
  note["body"] = text_or_null(row[3]);
#endif
  return note;
}

#if EXAMPLE_SCHEMA_VERSION >= 2
constexpr const char* kSelect = "SELECT id, project_id, title, body FROM " EXAMPLE_PLUGIN_ID "_notes";
#else
constexpr const char* kSelect = "SELECT id, project_id, title FROM " EXAMPLE_PLUGIN_ID "_notes";
#endif

class ExamplePlugin final : public ds::plugins::Plugin {
 public:
  ds::plugins::Metadata metadata() const override {
    return {.id = EXAMPLE_PLUGIN_ID,
            .name = "Example Plugin",
            .version = EXAMPLE_SCHEMA_VERSION >= 2 ? "2.0.0" : "1.0.0",
            .description = "Notes attached to projects: shows tables, settings, seeding and routes"};
  }

  ds::plugins::DatabaseExtension database_extension() const override {
    ds::plugins::DatabaseExtension ext;
    ext.tables = {describe<Notes>()};
    ext.on_database_init = [](ds::db::Transaction& db) {
      // Idempotent: a second start finds the row and leaves it (and everything else) alone.
      const ds::db::Value params[] = {std::string(kWelcomeId),
                                      std::string("Welcome to the example plugin"),
                                      std::int64_t{ds::now_seconds().time_since_epoch().count()}};
      db.execute("INSERT INTO " EXAMPLE_PLUGIN_ID "_notes (id, title, created_at) VALUES (?1, ?2, ?3) "
                 "ON CONFLICT(id) DO NOTHING",
                 params);
    };
    return ext;
  }

  ds::plugins::SettingsExtension global_settings_extension() const override {
    return {.modules = {{.group = {.id = EXAMPLE_PLUGIN_ID, .name = "Example Plugin",
                                   .description = "Settings of the example plugin", .icon = "puzzle",
                                   .sort_order = 100},
                         .settings = kSettings,
                         .source = __FILE__}}};
  }

  void register_routes(ds::plugins::Routes& routes) override {
    using ds::http::Method;
    using ds::http::Response;
    const auto database = routes.database();

    routes.add(Method::get, "/notes", [database](const ds::http::Request&) {
      const auto db = database.get();
      const auto result = db->execute(std::string(kSelect) + " ORDER BY created_at, id");
      nlohmann::json list = nlohmann::json::array();
      for (std::size_t i = 0; i < result.row_count(); ++i) list.push_back(note_json(result.row(i)));
      return Response::json(200, list.dump());
    });

    routes.add(Method::post, "/notes", [database](const ds::http::Request& request) {
      const auto body = ds::http::parse_json_object(request);
      const auto title = body.find("title");
      if (title == body.end() || !title->is_string() || title->get<std::string>().empty()) {
        throw ds::http::HttpError(ds::http::validation_error("title", "title must be a non-empty string"));
      }
      auto optional_text = [&](const char* key) -> ds::db::Value {
        const auto it = body.find(key);
        if (it == body.end() || it->is_null()) return nullptr;
        if (!it->is_string()) {
          throw ds::http::HttpError(ds::http::validation_error(key, std::string(key) + " must be a string"));
        }
        return it->get<std::string>();
      };
      const std::string id = ds::uuid_v4();
      const std::int64_t now = ds::now_seconds().time_since_epoch().count();
      const auto db = database.get();
#if EXAMPLE_SCHEMA_VERSION >= 2
      const ds::db::Value params[] = {id, optional_text("projectId"), title->get<std::string>(),
                                      optional_text("body"), now};
      db->execute("INSERT INTO " EXAMPLE_PLUGIN_ID "_notes (id, project_id, title, body, created_at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5)",
                  params);
#else
      const ds::db::Value params[] = {id, optional_text("projectId"), title->get<std::string>(), now};
      db->execute("INSERT INTO " EXAMPLE_PLUGIN_ID "_notes (id, project_id, title, created_at) "
                  "VALUES (?1, ?2, ?3, ?4)",
                  params);
#endif
      const ds::db::Value key[] = {id};
      const auto row = db->execute(std::string(kSelect) + " WHERE id = ?1", key);
      return Response::json(201, note_json(row.row(0)).dump());
    });
  }
};

}  // namespace example

DEPLOYSTACK_PLUGIN(example::ExamplePlugin)
