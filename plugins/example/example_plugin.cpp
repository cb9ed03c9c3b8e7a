// The example plugin, the one to copy: a table with a foreign key to a core table, a setting,
// a seed row and three routes. Every statement goes through the typed query API
// (db/query.hpp): no SQL text, every value a bound parameter, rows read by field name.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "db/query.hpp"
#include "db/schema/walk.hpp"
#include "http/errors.hpp"
#include "http/json_body.hpp"
#include "json_fields.hpp"
#include "plugins/plugin.hpp"
// The notes table of the schema version this library is built for: v2/notes.hpp (the current
// release) or v1/notes.hpp (the one before, for the upgrade test). CMake puts one of the two
// folders on the include path, so this file is the same for both.
#include "notes.hpp"

namespace example {

using ds::db::query::Db;
using ds::db::query::Tx;
using Note = Row<Notes>;

constexpr ds::settings::SettingDefinition kSettings[] = {
    {.key = "example.greeting",
     .name = "Greeting",
     .type = ds::settings::SettingType::string,
     .default_value = "Hello, plugin authors",
     .description = "An example setting: plugins declare settings exactly as the core does"},
};

constexpr std::string_view kWelcomeId = "example-welcome";

nlohmann::json note_json(const Note& note) {
  nlohmann::json out = {{"id", note.id},
                        {"projectId", text_or_null(note.project_id)},
                        {"title", note.title},
                        {"createdAt", ds::to_iso8601(note.created_at)}};
  write_version_fields(note, out);
  return out;
}

// The JSON Schemas of the routes' documentation (GET /documentation/json), built from the same
// field rules the handlers apply (json_fields.hpp, notes.hpp), so the two cannot disagree.
nlohmann::json note_schema() {
  nlohmann::json properties = {{"id", {{"type", "string"}}},
                               {"projectId", optional_text_schema()},
                               {"title", {{"type", "string"}}},
                               {"createdAt", {{"type", "string"}, {"format", "date-time"}}}};
  add_version_schema(properties);
  return {{"type", "object"},
          {"required", {"id", "projectId", "title", "createdAt"}},
          {"properties", std::move(properties)}};
}

nlohmann::json new_note_schema() {
  nlohmann::json properties = {{"projectId", optional_text_schema()},
                               {"title", required_text_schema()}};
  add_version_schema(properties);
  return {{"type", "object"}, {"required", {"title"}}, {"properties", std::move(properties)}};
}

// Writes a new note and returns it as stored (defaults filled in), in one statement.
Note insert_note(ds::db::Connection& db, InsertRow<Notes> note) {
  try {
    auto stored = Db(db).insert(notes).values(std::move(note)).returning().first();
    if (!stored) throw ds::Error(ds::Errc::internal, "the new note was not returned");
    return std::move(*stored);
  } catch (const ds::Error& e) {
    // The id is new, so a constraint failure is the foreign key: say which field is wrong
    // rather than pass the driver's message on.
    if (e.code() != ds::Errc::constraint) throw;
    const nlohmann::json error = {
        {"error", "Constraint violation: projectId must name an existing project"}};
    throw ds::http::HttpError(ds::http::Response::json(409, error.dump()));
  }
}

class ExamplePlugin final : public ds::plugins::Plugin {
 public:
  ds::plugins::Metadata metadata() const override {
    // The id prefixes the plugin's table names and its routes (/api/plugin/example/...).
    return {
        .id = "example",
        .name = "Example Plugin",
        .version = std::string(kVersion),
        .description = "Notes attached to projects: shows tables, settings, seeding and routes"};
  }

  ds::plugins::DatabaseExtension database_extension() const override {
    ds::plugins::DatabaseExtension ext;
    ext.tables = {describe<Notes>()};
    // Runs at every start, inside the transaction of the plugin's initialization: Tx gives
    // that transaction the typed statements. ON CONFLICT DO NOTHING keeps it idempotent: the
    // second start finds the row and leaves it (and every other row) alone.
    ext.on_database_init = [](ds::db::Transaction& tx) {
      Tx(tx)
          .insert(notes)
          .values({.id = std::string(kWelcomeId), .title = "Welcome to the example plugin"})
          .on_conflict_do_nothing()
          .run();
    };
    return ext;
  }

  ds::plugins::SettingsExtension global_settings_extension() const override {
    return {.modules = {{.group = {.id = "example",
                                   .name = "Example Plugin",
                                   .description = "Settings of the example plugin",
                                   .icon = "puzzle",
                                   .sort_order = 100},
                         .settings = kSettings}}};
  }

  void register_routes(ds::plugins::Routes& routes) override {
    using ds::http::Method;
    using ds::http::Request;
    using ds::http::Response;
    // Captured by value; get() answers 503 until the database (and this plugin's tables) is
    // initialized.
    const auto database = routes.database();

    // Each route comes with its documentation: a summary, the body it reads and what it
    // answers. The document adds the errors every route of its kind gives (500; 400, 413 and
    // 415 for a body; 503 with needs_database), all with error_schema().
    using ds::http::error_schema;

    routes.add(Method::get, "/notes",
               [database](const Request&) {
                 const auto db = database.get();
                 nlohmann::json list = nlohmann::json::array();
                 for (const Note& note :
                      Db(*db).select(notes).order_by(notes.created_at, notes.id).all()) {
                   list.push_back(note_json(note));
                 }
                 return Response::json(200, list.dump());
               },
               {.summary = "Every note, oldest first",
                .responses = {{200, "The notes", {{"type", "array"}, {"items", note_schema()}}}},
                .needs_database = true});

    routes.add(Method::get, "/notes/:id",
               [database](const Request& request) {
                 const auto db = database.get();
                 const auto note =
                     Db(*db).select(notes).where(notes.id == request.param("id")).first();
                 if (!note)
                   return Response::json(404, nlohmann::json{{"error", "Note not found"}}.dump());
                 return Response::json(200, note_json(*note).dump());
               },
               {.summary = "One note",
                .responses = {{200, "The note", note_schema()},
                              {404, "No note has this id", error_schema()}},
                .needs_database = true});

    routes.add(Method::post, "/notes",
               [database](const Request& request) {
                 // Validate the whole body before touching the database: a bad field answers 400.
                 const auto body = ds::http::parse_json_object(request);
                 InsertRow<Notes> note{.id = ds::uuid_v4(),
                                       .project_id = optional_text(body, "projectId"),
                                       .title = required_text(body, "title")};
                 read_version_fields(body, note);
                 const auto db = database.get();
                 return Response::json(201, note_json(insert_note(*db, std::move(note))).dump());
               },
               {.summary = "Creates a note, optionally attached to a project",
                .request_body = new_note_schema(),
                .responses = {{201, "The created note", note_schema()},
                              {409, "projectId names no project", error_schema()}},
                .needs_database = true});
  }
};

}  // namespace example

DEPLOYSTACK_PLUGIN(example::ExamplePlugin)
