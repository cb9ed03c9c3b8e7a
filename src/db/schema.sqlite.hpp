#pragma once
// The core schema: the tables the database layer itself needs, declared once. Queries
// (db/query.hpp), the CREATE TABLE text and the migration snapshots all come from here.
// Equivalent to DeployStack's drizzle `schema.sqlite.ts` for these tables.
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "db/schema/table.hpp"

namespace ds::db::core {
using namespace ds::db::dsl;

template <template <FixedString, class, class...> class Column>
struct AuthUserColumns {
  Column<"id", Text, PrimaryKey> id{};
  Column<"username", Text, NotNull> username{};
  Column<"email", Text, NotNull, Unique> email{};
  Column<"created_at", Timestamp, NotNull, DefaultFn<now_ms>> created_at{};
};
struct AuthUser : Table<AuthUser, "authUser", AuthUserColumns> {};
inline constexpr AuthUser auth_user{};

template <template <FixedString, class, class...> class Column>
struct ProjectsColumns {
  Column<"id", Text, PrimaryKey> id{};
  Column<"name", Text, NotNull> name{};
  Column<"description", Text> description{};
  Column<"user_id", Text, References<auth_user.id>> user_id{};
  // Milliseconds (migration 0002): in seconds, a PATCH within the second did not move updatedAt.
  Column<"created_at", TimestampMs, NotNull, DefaultFn<now_ms>> created_at{};
  Column<"updated_at", TimestampMs, NotNull, DefaultFn<now_ms>> updated_at{};
};
struct Projects : Table<Projects, "projects", ProjectsColumns> {
  static std::vector<Constraint> constraints();
};
inline constexpr Projects projects{};
// GET /api/projects pages in this order: without the index every page sorts the whole table.
inline std::vector<Constraint> Projects::constraints() {
  return {index("projects_created_at_id_idx", projects.created_at, projects.id)};
}

template <template <FixedString, class, class...> class Column>
struct GlobalSettingGroupsColumns {
  Column<"id", Text, PrimaryKey> id{};
  Column<"name", Text, NotNull> name{};
  Column<"description", Text> description{};
  Column<"icon", Text> icon{};
  Column<"sort_order", Integer, NotNull, Default<0>> sort_order{};
  Column<"created_at", Timestamp, NotNull, DefaultFn<now_ms>> created_at{};
  Column<"updated_at", Timestamp, NotNull, DefaultFn<now_ms>> updated_at{};
};
struct GlobalSettingGroups : Table<GlobalSettingGroups, "globalSettingGroups", GlobalSettingGroupsColumns> {};
inline constexpr GlobalSettingGroups global_setting_groups{};

template <template <FixedString, class, class...> class Column>
struct GlobalSettingsColumns {
  Column<"key", Text, PrimaryKey> key{};
  Column<"name", Text> name{};
  Column<"value", Text, NotNull> value{};
  Column<"type", Text, NotNull, DefaultText<"string">> type{};
  Column<"description", Text> description{};
  Column<"is_encrypted", Boolean, NotNull, Default<false>> is_encrypted{};
  Column<"group_id", Text, References<global_setting_groups.id>> group_id{};
  Column<"created_at", Timestamp, NotNull, DefaultFn<now_ms>> created_at{};
  Column<"updated_at", Timestamp, NotNull, DefaultFn<now_ms>> updated_at{};
};
struct GlobalSettings : Table<GlobalSettings, "globalSettings", GlobalSettingsColumns> {};
inline constexpr GlobalSettings global_settings{};

}  // namespace ds::db::core
