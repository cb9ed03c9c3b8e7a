#pragma once
// Schema version 1 of the example plugin, release 1.0.0: what the release before the current
// one (v2/notes.hpp) declared, with migrations/0000_init.sql only. A real plugin keeps just
// its current declaration (its history is its migrations folder); this one stays so that the
// tests can install 1.0.0 and upgrade it (the ds_example_plugin_v1 target).
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/time.hpp"
#include "db/schema.sqlite.hpp"

namespace example {
using namespace ds::db::dsl;

inline constexpr std::string_view kVersion = "1.0.0";

template <template <FixedString, class, class...> class Column>
struct NotesColumns {
  Column<"id", Text, PrimaryKey> id{};
  Column<"project_id", Text, References<ds::db::core::projects.id, OnDelete<Action::cascade>>>
      project_id{};
  Column<"title", Text, NotNull> title{};
  Column<"created_at", Timestamp, NotNull, DefaultFn<ds::now_ms>> created_at{};
};
// Every table of a plugin is named <plugin id>_<table>.
struct Notes : Table<Notes, "example_notes", NotesColumns> {};
inline constexpr Notes notes{};

// A note of this version has only the fields every version has.
inline void write_version_fields(const Row<Notes>&, nlohmann::json&) {}
inline void read_version_fields(const nlohmann::json&, InsertRow<Notes>&) {}
inline void add_version_schema(nlohmann::json&) {}

}  // namespace example
