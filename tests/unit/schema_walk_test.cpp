// The DSL walked to the runtime model, and the migration engine's SQL for it, executed on SQLite.
#include <gtest/gtest.h>

#include "db/core_schema.hpp"
#include "db/migrate/diff.hpp"
#include "db/migrate/folder.hpp"
#include "db/migrate/generate.hpp"
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"
#include "db/schema/walk.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "support/migrated_tables.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace ds::db::dsl;
namespace model = ds::db::schema;

// A plugin-style table using the parts the core tables do not: composite key, indexes,
// checks, autoincrement, literal and SQL defaults, FK actions.
template <template <FixedString, class, class...> class Column>
struct MembershipColumns {
  Column<"project_id", Text, NotNull, References<ds::db::core::projects.id, OnDelete<Action::cascade>, OnUpdate<Action::set_null>>> project_id{};
  Column<"user_id", Text, NotNull> user_id{};
  Column<"role", Text, NotNull, DefaultText<"it's">> role{};
  Column<"weight", Real, Default<1.5>> weight{};
  Column<"joined", TimestampMs, DefaultSql<"(unixepoch() * 1000)">> joined{};
  Column<"payload", Blob> payload{};
  Column<"amount", Numeric> amount{};
};
struct Membership : Table<Membership, "membership", MembershipColumns> {
  static std::vector<Constraint> constraints();
};
inline constexpr Membership membership{};
std::vector<Constraint> Membership::constraints() {
  return {primary_key(membership.project_id, membership.user_id),
          index("membership_user_idx", membership.user_id),
          where(unique_index("membership_role_idx", membership.project_id, membership.role), "role = 'owner'"),
          check("weight_positive", "weight > 0")};
}

template <template <FixedString, class, class...> class Column>
struct CounterColumns {
  Column<"id", Integer, PrimaryKey, AutoIncrement> id{};
  Column<"on", Boolean, NotNull, Default<true>> on{};
};
struct Counter : Table<Counter, "counter", CounterColumns> {};

// Foreign keys the core tables do not have: to its own table (a tree), and a composite one
// to membership's composite primary key.
template <template <FixedString, class, class...> class Column>
struct TaskColumns {
  Column<"id", Text, PrimaryKey> id{};
  Column<"parent_id", Text, ReferencesSelf<"id", OnDelete<Action::cascade>>> parent_id{};
  Column<"project_id", Text, NotNull> project_id{};
  Column<"owner_id", Text, NotNull> owner_id{};
};
struct Task : Table<Task, "task", TaskColumns> {
  static std::vector<Constraint> constraints();
};
inline constexpr Task task{};
std::vector<Constraint> Task::constraints() {
  return {foreign_key(task.project_id, task.owner_id)
              .references(membership.project_id, membership.user_id)
              .on_delete(Action::cascade),
          foreign_key("task_owner_fk", task.owner_id)
              .references(ds::db::core::auth_user.id)
              .on_update(Action::restrict)};
}

TEST(SchemaWalk, CoreTablesMatchDrizzleSnapshotModel) {
  const auto& s = ds::db::core_schema();
  ASSERT_EQ(s.tables.size(), 4u);
  const auto& user = s.tables[0];
  EXPECT_EQ(user.name, "authUser");
  ASSERT_EQ(user.indexes.size(), 1u);
  EXPECT_EQ(user.indexes[0], (model::Index{"authUser_email_unique", {"email"}, true, std::nullopt}));
  const auto& projects = s.tables[1];
  EXPECT_EQ(projects.name, "projects");
  ASSERT_EQ(projects.columns.size(), 6u);
  EXPECT_EQ(projects.columns[0], (model::Column{"id", "text", true, true, false, std::nullopt}));
  EXPECT_EQ(projects.columns[2], (model::Column{"description", "text", false, false, false, std::nullopt}));
  EXPECT_EQ(projects.columns[4], (model::Column{"created_at", "integer", false, true, false, std::nullopt}));
  ASSERT_EQ(projects.foreign_keys.size(), 1u);
  EXPECT_EQ(projects.foreign_keys[0], (model::ForeignKey{"projects_user_id_authUser_id_fk", "projects", "authUser",
                                                         {"user_id"}, {"id"}, "no action", "no action"}));
  const auto& settings = s.tables[3];
  EXPECT_EQ(settings.name, "globalSettings");
  EXPECT_EQ(settings.columns[3].default_value, (model::ColumnDefault{model::ColumnDefault::Kind::sql, "'string'"}));
  EXPECT_EQ(settings.columns[5].default_value, (model::ColumnDefault{model::ColumnDefault::Kind::boolean, "false"}));
  EXPECT_EQ(s.tables[2].columns[4].default_value, (model::ColumnDefault{model::ColumnDefault::Kind::number, "0"}));
  EXPECT_EQ(settings.foreign_keys[0].name, "globalSettings_group_id_globalSettingGroups_id_fk");
}

TEST(SchemaWalk, AnyTableWalks) {
  const auto t = describe<Membership>();
  EXPECT_EQ(t.name, "membership");
  ASSERT_EQ(t.composite_primary_keys.size(), 1u);
  EXPECT_EQ(t.composite_primary_keys[0], (model::CompositePrimaryKey{"membership_project_id_user_id_pk", {"project_id", "user_id"}}));
  EXPECT_EQ(t.foreign_keys[0].on_delete, "cascade");
  EXPECT_EQ(t.foreign_keys[0].on_update, "set null");
  EXPECT_EQ(t.columns[2].default_value->text, "'it''s'");
  EXPECT_EQ(t.columns[3].default_value, (model::ColumnDefault{model::ColumnDefault::Kind::number, "1.5"}));
  EXPECT_EQ(t.columns[4].default_value->text, "(unixepoch() * 1000)");
  EXPECT_EQ(t.columns[5].type, "blob");
  EXPECT_EQ(t.columns[6].type, "numeric");
  ASSERT_EQ(t.indexes.size(), 2u);
  EXPECT_EQ(t.indexes[1].where, "role = 'owner'");
  EXPECT_EQ(t.check_constraints[0].name, "weight_positive");
  const auto c = describe<Counter>();
  EXPECT_TRUE(c.columns[0].autoincrement);
  EXPECT_EQ(c.columns[1].default_value, (model::ColumnDefault{model::ColumnDefault::Kind::boolean, "true"}));
}

TEST(SchemaWalk, SelfAndCompositeForeignKeys) {
  const auto t = describe<Task>();
  ASSERT_EQ(t.foreign_keys.size(), 3u);
  using FK = model::ForeignKey;
  EXPECT_EQ(t.foreign_keys[0], (FK{"task_parent_id_task_id_fk", "task", "task", {"parent_id"},
                                   {"id"}, "cascade", "no action"}));
  EXPECT_EQ(t.foreign_keys[1], (FK{"task_project_id_owner_id_membership_project_id_user_id_fk",
                                   "task", "membership", {"project_id", "owner_id"},
                                   {"project_id", "user_id"}, "cascade", "no action"}));
  EXPECT_EQ(t.foreign_keys[2], (FK{"task_owner_fk", "task", "authUser", {"owner_id"}, {"id"},
                                   "no action", "restrict"}));
}

// What a migration writes to create `table` from nothing: the table, then its indexes.
std::vector<std::string> new_table_sql(const model::Table& table) {
  return ds::db::migrate::diff_schemas({}, model::Schema{{table}}, {}).statements;
}

const std::vector<std::string> kTaskSql{
    "CREATE TABLE `task` (\n"
    "\t`id` text PRIMARY KEY NOT NULL,\n"
    "\t`parent_id` text,\n"
    "\t`project_id` text NOT NULL,\n"
    "\t`owner_id` text NOT NULL,\n"
    "\tFOREIGN KEY (`parent_id`) REFERENCES `task`(`id`) "
    "ON UPDATE no action ON DELETE cascade,\n"
    "\tFOREIGN KEY (`project_id`,`owner_id`) REFERENCES `membership`(`project_id`,`user_id`) "
    "ON UPDATE no action ON DELETE cascade,\n"
    "\tFOREIGN KEY (`owner_id`) REFERENCES `authUser`(`id`) "
    "ON UPDATE restrict ON DELETE no action\n"
    ");\n"};

TEST(SchemaSql, NewTablesInDrizzleFormat) {
  const auto stmts = new_table_sql(ds::db::core_schema().tables[1]);
  ASSERT_EQ(stmts.size(), 2u);
  EXPECT_EQ(stmts[0],
            "CREATE TABLE `projects` (\n"
            "\t`id` text PRIMARY KEY NOT NULL,\n"
            "\t`name` text NOT NULL,\n"
            "\t`description` text,\n"
            "\t`user_id` text,\n"
            "\t`created_at` integer NOT NULL,\n"
            "\t`updated_at` integer NOT NULL,\n"
            "\tFOREIGN KEY (`user_id`) REFERENCES `authUser`(`id`) ON UPDATE no action ON DELETE no action\n"
            ");\n");
  EXPECT_EQ(stmts[1], "CREATE INDEX `projects_created_at_id_idx` ON `projects` (`created_at`,`id`);");
  const auto user = new_table_sql(ds::db::core_schema().tables[0]);
  ASSERT_EQ(user.size(), 2u);
  EXPECT_EQ(user[1], "CREATE UNIQUE INDEX `authUser_email_unique` ON `authUser` (`email`);");
  const auto m = new_table_sql(describe<Membership>());
  EXPECT_NE(m[0].find("\tPRIMARY KEY(`project_id`, `user_id`),\n"), std::string::npos);
  EXPECT_NE(m[0].find("ON UPDATE set null ON DELETE cascade"), std::string::npos);
  EXPECT_NE(m[0].find("CONSTRAINT \"weight_positive\" CHECK(weight > 0)"), std::string::npos);
  EXPECT_EQ(m[2], "CREATE UNIQUE INDEX `membership_role_idx` ON `membership` (`project_id`,`role`) WHERE role = 'owner';");
  EXPECT_EQ(new_table_sql(describe<Task>()), kTaskSql);
}

TEST(SchemaSql, ExecutesOnSqlite) {
  ds::test::TempDir dir;
  auto conn = ds::db::open_sqlite(dir / "t.db", ds::db::OpenMode::create_if_missing);
  ds::test::apply_core_migrations(*conn);
  ds::test::create_tables_by_migration(*conn, {describe<Membership>(), describe<Counter>()});
  const auto r = conn->execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name");
  std::vector<std::string> names;
  for (std::size_t i = 0; i < r.row_count(); ++i) names.push_back(std::get<std::string>(r.row(i)[1]));
  EXPECT_EQ(names, (std::vector<std::string>{
                       "__drizzle_migrations", "authUser", "authUser_email_unique", "counter",
                       "globalSettingGroups", "globalSettings", "membership", "membership_role_idx",
                       "membership_user_idx", "projects", "projects_created_at_id_idx"}));
  const auto fk = conn->execute("SELECT \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list('membership')");
  ASSERT_EQ(fk.row_count(), 1u);
  EXPECT_EQ(std::get<std::string>(fk.row(0)[3]), "SET NULL");
  EXPECT_EQ(std::get<std::string>(fk.row(0)[4]), "CASCADE");
}

// The foreign keys do what they say on SQLite: a child of a missing parent or of a missing
// membership is refused, deleting a parent task or the membership deletes its tasks.
TEST(SchemaSql, SelfAndCompositeForeignKeysAreEnforced) {
  ds::test::TempDir dir;
  auto conn = ds::db::open_sqlite(dir / "t.db", ds::db::OpenMode::create_if_missing);
  ds::test::apply_core_migrations(*conn);
  ds::test::create_tables_by_migration(*conn, {describe<Membership>(), describe<Task>()});
  ds::db::query::Db db(*conn);
  db.insert(ds::db::core::auth_user).values({.id = "u", .username = "u", .email = "u@x"}).run();
  db.insert(ds::db::core::projects).values({.id = "p", .name = "p"}).run();
  db.insert(membership).values({.project_id = "p", .user_id = "u"}).run();
  db.insert(task).values({.id = "root", .project_id = "p", .owner_id = "u"}).run();
  db.insert(task)
      .values({.id = "leaf", .parent_id = "root", .project_id = "p", .owner_id = "u"})
      .run();
  EXPECT_THROW(
      db.insert(task)
          .values({.id = "orphan", .parent_id = "nope", .project_id = "p", .owner_id = "u"})
          .run(),
      ds::Error);
  EXPECT_THROW(db.insert(task).values({.id = "stranger", .project_id = "p", .owner_id = "v"}).run(),
               ds::Error);
  EXPECT_EQ(db.delete_from(task).where(task.id == "root").run(), 1);
  EXPECT_TRUE(db.select(task).all().empty()) << "the leaf went with its parent";
  db.insert(task).values({.id = "again", .project_id = "p", .owner_id = "u"}).run();
  db.delete_from(membership).all_rows().run();
  EXPECT_TRUE(db.select(task).all().empty()) << "the task went with its membership";
}

// `db generate` adds a table with both kinds of foreign key as drizzle-kit would: one CREATE
// TABLE carrying them, and a snapshot that reads back to the same model.
TEST(SchemaMigrate, GenerateAddsTableWithSelfAndCompositeForeignKeys) {
  namespace mig = ds::db::migrate;
  ds::test::TempDir dir;
  std::filesystem::create_directories(dir / "m");
  mig::MigrationFolder folder(dir / "m");
  auto schema = ds::db::core_schema();
  schema.tables.push_back(describe<Membership>());
  ASSERT_TRUE(mig::generate_migration(folder, schema, {"init", {}, false}).sql_file);
  schema.tables.push_back(describe<Task>());
  const auto r = mig::generate_migration(folder, schema, {"tasks", {}, false});
  ASSERT_TRUE(r.sql_file);
  EXPECT_EQ(r.statements, kTaskSql);
  const auto snapshot = folder.latest_snapshot();
  ASSERT_TRUE(snapshot);
  const auto it = std::find_if(snapshot->schema.tables.begin(), snapshot->schema.tables.end(),
                               [](const auto& t) { return t.name == "task"; });
  ASSERT_NE(it, snapshot->schema.tables.end());
  EXPECT_EQ(it->foreign_keys.size(), 3u);
  for (const auto& fk : describe<Task>().foreign_keys) {
    EXPECT_NE(std::find(it->foreign_keys.begin(), it->foreign_keys.end(), fk),
              it->foreign_keys.end())
        << fk.name;
  }
  EXPECT_FALSE(mig::generate_migration(folder, schema, {}).sql_file) << "no change writes nothing";
}

}  // namespace
