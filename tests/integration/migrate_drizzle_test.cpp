// Cross-checks with the real drizzle toolchain (tests/peers): our `db generate` writes what
// drizzle-kit 0.31 writes, and a drizzle-kit folder applied by `deploystack db up` gives the
// database drizzle-orm's migrator gives, tracking rows included, in both directions.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "core/atomic_file.hpp"
#include "db/migrate/generate.hpp"
#include "db/schema/walk.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

// Foreign keys to the table itself and over several columns, in the DSL (the TypeScript
// twin is kSchemaForeignKeys below).
namespace fk_schema {
using namespace ds::db::dsl;

template <template <FixedString, class, class...> class Column>
struct MembersColumns {
  Column<"project_id", Text, NotNull> project_id{};
  Column<"user_id", Text, NotNull> user_id{};
};
struct Members : Table<Members, "members", MembersColumns> {
  static std::vector<Constraint> constraints();
};
inline constexpr Members members{};
inline std::vector<Constraint> Members::constraints() {
  return {primary_key(members.project_id, members.user_id)};
}

template <template <FixedString, class, class...> class Column>
struct PeopleColumns {
  Column<"id", Text, PrimaryKey> id{};
};
struct People : Table<People, "people", PeopleColumns> {};
inline constexpr People people{};

template <template <FixedString, class, class...> class Column>
struct TasksColumns {
  Column<"id", Text, PrimaryKey> id{};
  Column<"parent_id", Text, ReferencesSelf<"id", OnDelete<Action::cascade>>> parent_id{};
  Column<"project_id", Text, NotNull> project_id{};
  Column<"owner_id", Text, NotNull> owner_id{};
  Column<"previous_id", Text, ReferencesSelf<"id">> previous_id{};
};
struct Tasks : Table<Tasks, "tasks", TasksColumns> {
  static std::vector<Constraint> constraints();
};
inline constexpr Tasks tasks{};
inline std::vector<Constraint> Tasks::constraints() {
  return {foreign_key(tasks.project_id, tasks.owner_id)
              .references(members.project_id, members.user_id)
              .on_delete(Action::cascade),
          foreign_key("tasks_owner_fk", tasks.owner_id)
              .references(people.id)
              .on_update(Action::restrict)};
}
}  // namespace fk_schema

namespace ds::db::migrate {
namespace {

namespace fs = std::filesystem;
using schema::Column;
using schema::ColumnDefault;
using schema::Table;

const std::string kPeers = std::string(DS_SOURCE_DIR) + "/tests/peers";

// Not on PATH: plain "node", so the failed exec names what is missing.
std::string node() {
  const auto found = ds::test::find_on_path("node");
  return found.empty() ? "node" : found;
}

constexpr std::string_view kSchemaV1 = R"(import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";
export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  age: integer("age"),
  email: text("email").unique(),
  createdAt: integer("created_at").notNull().default(sql`(unixepoch())`),
}, (t) => [index("users_name_idx").on(t.name)]);
export const posts = sqliteTable("posts", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  body: text("body"),
  flag: integer("flag", { mode: "boolean" }).default(false),
});
)";

// v2: a column rename (posts.body -> content), a rebuild (users.age becomes NOT NULL with a
// default), a new index, a new table with a composite key.
constexpr std::string_view kSchemaV2 = R"(import { sqliteTable, text, integer, index, primaryKey } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";
export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  age: integer("age").notNull().default(0),
  email: text("email").unique(),
  createdAt: integer("created_at").notNull().default(sql`(unixepoch())`),
}, (t) => [index("users_name_idx").on(t.name)]);
export const posts = sqliteTable("posts", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  content: text("content"),
  flag: integer("flag", { mode: "boolean" }).default(false),
}, (t) => [index("posts_user_idx").on(t.userId)]);
export const tags = sqliteTable("tags", {
  a: text("a").notNull(),
  b: text("b").notNull(),
}, (t) => [primaryKey({ columns: [t.a, t.b] })]);
)";

constexpr std::string_view kSchemaForeignKeys =
    R"(import { sqliteTable, text, primaryKey, foreignKey } from "drizzle-orm/sqlite-core";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
export const members = sqliteTable("members", {
  projectId: text("project_id").notNull(),
  userId: text("user_id").notNull(),
}, (t) => [primaryKey({ columns: [t.projectId, t.userId] })]);
export const people = sqliteTable("people", {
  id: text("id").primaryKey(),
});
export const tasks = sqliteTable("tasks", {
  id: text("id").primaryKey(),
  parentId: text("parent_id").references((): AnySQLiteColumn => tasks.id, { onDelete: "cascade" }),
  projectId: text("project_id").notNull(),
  ownerId: text("owner_id").notNull(),
  previousId: text("previous_id").references((): AnySQLiteColumn => tasks.id),
}, (t) => [
  foreignKey({ columns: [t.projectId, t.ownerId], foreignColumns: [members.projectId, members.userId] }).onDelete("cascade"),
  foreignKey({ name: "tasks_owner_fk", columns: [t.ownerId], foreignColumns: [people.id] }).onUpdate("restrict"),
]);
)";

ColumnDefault sql_default(std::string text) { return {ColumnDefault::Kind::sql, std::move(text)}; }

// The same schemas as the runtime model, as the typed DSL would produce them.
schema::Schema model(bool v2) {
  Table users{"users", {}, {}, {}, {}, {}, {}};
  users.columns = {
      {"id", "text", true, true, false, std::nullopt},
      {"name", "text", false, true, false, std::nullopt},
      {"age", "integer", false, v2, false, v2 ? std::optional(ColumnDefault{ColumnDefault::Kind::number, "0"}) : std::nullopt},
      {"email", "text", false, false, false, std::nullopt},
      {"created_at", "integer", false, true, false, sql_default("(unixepoch())")},
  };
  users.indexes = {{"users_email_unique", {"email"}, true, std::nullopt}, {"users_name_idx", {"name"}, false, std::nullopt}};
  Table posts{"posts", {}, {}, {}, {}, {}, {}};
  posts.columns = {
      {"id", "integer", true, true, true, std::nullopt},
      {"user_id", "text", false, true, false, std::nullopt},
      {v2 ? "content" : "body", "text", false, false, false, std::nullopt},
      {"flag", "integer", false, false, false, ColumnDefault{ColumnDefault::Kind::boolean, "false"}},
  };
  if (v2) posts.indexes = {{"posts_user_idx", {"user_id"}, false, std::nullopt}};
  posts.foreign_keys = {{"posts_user_id_users_id_fk", "posts", "users", {"user_id"}, {"id"}, "cascade", "no action"}};
  schema::Schema s{{users, posts}};
  if (v2) {
    Table tags{"tags", {}, {}, {}, {}, {}, {}};
    tags.columns = {{"a", "text", false, true, false, std::nullopt}, {"b", "text", false, true, false, std::nullopt}};
    tags.composite_primary_keys = {{"tags_a_b_pk", {"a", "b"}}};
    s.tables.push_back(tags);
  }
  return s;
}

test::RunResult run(std::vector<std::string> argv, const fs::path& cwd, std::map<std::string, std::string> env = {}) {
  return test::run_command({std::move(argv), std::move(env), cwd, cwd / "stderr.txt"}, std::chrono::seconds(120));
}

std::string err(const fs::path& cwd) { return read_file(cwd / "stderr.txt"); }

// drizzle-kit generate for `schema_ts` into `out`, answering `renames` prompts with "rename".
void drizzle_kit_generate(const test::TempDir& dir, std::string_view schema_ts, const fs::path& out, const std::string& name,
                          int renames) {
  write_file_atomically(dir / "schema.ts", schema_ts);
  const auto r = run({node(), kPeers + "/drizzle_generate.mjs", dir.path().string(), (dir / "schema.ts").string(),
                      out.string(), name, std::to_string(renames)},
                     dir.path());
  ASSERT_EQ(r.status, 0) << err(dir.path());
}

// Everything that defines the database: sqlite_master and the tracking rows.
std::string dump(const fs::path& db_file) {
  const auto db = open_sqlite(db_file, OpenMode::must_exist);
  std::string out;
  const auto master = db->execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name");
  for (std::size_t i = 0; i < master.row_count(); ++i) {
    for (const auto& v : master.row(i)) out += (std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "NULL") + "|";
    out += "\n";
  }
  const auto rows = db->execute("SELECT quote(id), hash, quote(created_at), typeof(created_at) FROM \"__drizzle_migrations\" ORDER BY rowid");
  for (std::size_t i = 0; i < rows.row_count(); ++i) {
    for (const auto& v : rows.row(i)) out += std::get<std::string>(v) + "|";
    out += "\n";
  }
  return out;
}

std::string without(std::string text, const std::regex& re, const char* with) { return std::regex_replace(text, re, with); }

TEST(MigrateDrizzle, GenerateWritesWhatDrizzleKitWrites) {
  test::TempDir dir;
  const auto theirs = dir / "theirs";
  const auto ours = dir / "ours";
  drizzle_kit_generate(dir, kSchemaV1, theirs, "init", 0);
  drizzle_kit_generate(dir, kSchemaV2, theirs, "second", 1);

  fs::create_directories(ours);
  MigrationFolder folder(ours);
  ASSERT_TRUE(generate_migration(folder, model(false), {"init", {}, false}).sql_file);
  GenerateOptions second{"second", {}, false};
  second.renames.columns.push_back({"posts", "body", "content"});
  const auto r = generate_migration(folder, model(true), second);
  ASSERT_TRUE(r.sql_file);
  EXPECT_TRUE(r.likely_renames.empty());
  EXPECT_FALSE(generate_migration(folder, model(true), {}).sql_file) << "no change writes nothing";

  const std::regex ids(R"re("(id|prevId)": "[0-9a-f-]{36}")re");
  const std::regex when(R"re("when": \d+)re");
  for (const char* f : {"0000_init.sql", "0001_second.sql"}) {
    EXPECT_EQ(read_file(ours / f), read_file(theirs / f)) << f;
  }
  for (const char* f : {"meta/0000_snapshot.json", "meta/0001_snapshot.json"}) {
    EXPECT_EQ(without(read_file(ours / f), ids, "ID"), without(read_file(theirs / f), ids, "ID")) << f;
  }
  EXPECT_EQ(without(read_file(ours / "meta/_journal.json"), when, "W"), without(read_file(theirs / "meta/_journal.json"), when, "W"));
}

// ReferencesSelf and table-level foreign_key() give drizzle-kit's SQL and snapshot.
TEST(MigrateDrizzle, DslForeignKeysMatchDrizzleKit) {
  test::TempDir dir;
  const auto theirs = dir / "theirs";
  const auto ours = dir / "ours";
  drizzle_kit_generate(dir, kSchemaForeignKeys, theirs, "init", 0);
  fs::create_directories(ours);
  MigrationFolder folder(ours);
  using namespace fk_schema;
  ASSERT_TRUE(
      generate_migration(folder, dsl::describe_all<Members, People, Tasks>(), {"init", {}, false})
          .sql_file);
  EXPECT_EQ(read_file(ours / "0000_init.sql"), read_file(theirs / "0000_init.sql"));
  const std::regex ids(R"re("(id|prevId)": "[0-9a-f-]{36}")re");
  EXPECT_EQ(without(read_file(ours / "meta/0000_snapshot.json"), ids, "ID"),
            without(read_file(theirs / "meta/0000_snapshot.json"), ids, "ID"));
}

TEST(MigrateDrizzle, DrizzleKitFolderAppliesLikeDrizzleOrm) {
  test::TempDir dir;
  const auto folder = dir / "drizzle";
  drizzle_kit_generate(dir, kSchemaV1, folder, "init", 0);
  drizzle_kit_generate(dir, kSchemaV2, folder, "second", 1);

  const auto ours = dir / "ours.db";
  const auto theirs = dir / "theirs.db";
  const std::map<std::string, std::string> env{{"DB_TYPE", "sqlite"}, {"SQLITE_DB_PATH", ours.string()}};
  const auto up = run({DS_BINARY_PATH, "db", "up", "--migrations", folder.string()}, dir.path(), env);
  ASSERT_EQ(up.status, 0) << up.out << err(dir.path());
  EXPECT_NE(up.out.find("applied 0001_second"), std::string::npos) << up.out;
  const auto drizzle = run({node(), kPeers + "/drizzle_migrate.mjs", theirs.string(), folder.string()}, dir.path());
  ASSERT_EQ(drizzle.status, 0) << err(dir.path());
  EXPECT_EQ(drizzle.out, "applied 2\n");

  EXPECT_EQ(dump(ours), dump(theirs));

  // Either side takes over from the other: nothing is pending for anyone.
  const auto again = run({node(), kPeers + "/drizzle_migrate.mjs", ours.string(), folder.string()}, dir.path());
  EXPECT_EQ(again.out, "applied 0\n") << err(dir.path());
  const auto theirs_env = std::map<std::string, std::string>{{"DB_TYPE", "sqlite"}, {"SQLITE_DB_PATH", theirs.string()}};
  const auto up_theirs = run({DS_BINARY_PATH, "db", "up", "--migrations", folder.string()}, dir.path(), theirs_env);
  EXPECT_EQ(up_theirs.status, 0) << err(dir.path());
  EXPECT_NE(up_theirs.out.find("Nothing pending"), std::string::npos) << up_theirs.out;

  const auto check = run({DS_BINARY_PATH, "db", "check", "--migrations", folder.string()}, dir.path(), env);
  EXPECT_EQ(check.status, 0) << check.out << err(dir.path());
}

}  // namespace
}  // namespace ds::db::migrate
