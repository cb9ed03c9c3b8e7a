#pragma once
// Schema version 2 of the example plugin, release 2.0.0 (the current one): the notes table as
// this release declares it, and the part of a note's JSON that depends on it. Adding `body`
// here is what `deploystack db generate --plugin example` turned into
// migrations/0001_add_note_body.sql. CMake compiles example_plugin.cpp with this folder on the
// include path (plugins/example/CMakeLists.txt).
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/time.hpp"
#include "db/schema.sqlite.hpp"
#include "json_fields.hpp"

namespace example {
using namespace ds::db::dsl;

inline constexpr std::string_view kVersion = "2.0.0";

template <template <FixedString, class, class...> class Column>
struct NotesColumns {
  Column<"id", Text, PrimaryKey> id{};
  Column<"project_id", Text, References<ds::db::core::projects.id, OnDelete<Action::cascade>>>
      project_id{};
  Column<"title", Text, NotNull> title{};
  Column<"body", Text> body{};  // new in 2.0.0; nullable, so the rows 1.0.0 wrote stay valid
  Column<"created_at", Timestamp, NotNull, DefaultFn<ds::now_ms>> created_at{};
};
// Every table of a plugin is named <plugin id>_<table>.
struct Notes : Table<Notes, "example_notes", NotesColumns> {};
inline constexpr Notes notes{};

// The fields of a note this version has beyond those of every version (id, projectId, title,
// createdAt): in a response, and read from a new note's request body.
inline void write_version_fields(const Row<Notes>& note, nlohmann::json& out) {
  out["body"] = text_or_null(note.body);
}
inline void read_version_fields(const nlohmann::json& body, InsertRow<Notes>& note) {
  note.body = optional_text(body, "body");
}
// The same fields in the JSON Schema of a note (`properties`) and of a new note's body.
inline void add_version_schema(nlohmann::json& properties) {
  properties["body"] = optional_text_schema();
}

}  // namespace example
