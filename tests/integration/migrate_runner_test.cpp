// The runner's safety rules against real SQLite files and the real binary: rebuilds keep
// cascading children, any failure leaves the database untouched, edited files are refused,
// concurrent runners apply once.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "db/migrate/generate.hpp"
#include "db/migrate/runner.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace ds::db::migrate {
namespace {

namespace fs = std::filesystem;

// A folder written by hand: journal entries 1..n with the given SQL.
void write_folder(const fs::path& dir, const std::vector<std::string>& sqls) {
  Journal j;
  for (std::size_t i = 0; i < sqls.size(); ++i) {
    const auto tag = fmt::format("{:04}_m{}", i, i);
    write_file_atomically(dir / (tag + ".sql"), sqls[i]);
    j.entries.push_back({static_cast<int>(i), "6", 1700000000000 + static_cast<std::int64_t>(i), tag, true});
  }
  write_file_atomically(dir / "meta" / "_journal.json", to_json(j));
}

std::string everything(Connection& db) {
  std::string out;
  const auto master = db.execute("SELECT name, sql FROM sqlite_master ORDER BY name");
  for (std::size_t i = 0; i < master.row_count(); ++i) {
    const auto name = std::get<std::string>(master.row(i)[0]);
    out += name + ": " + (is_null(master.row(i)[1]) ? "" : std::get<std::string>(master.row(i)[1])) + "\n";
    if (name.starts_with("sqlite_") || is_null(master.row(i)[1]) || !std::get<std::string>(master.row(i)[1]).starts_with("CREATE TABLE")) continue;
    const auto rows = db.execute(fmt::format("SELECT * FROM \"{}\" ORDER BY rowid", name));
    out += fmt::format("  {} rows\n", rows.row_count());
  }
  return out;
}

TEST(MigrateRunner, RebuildOfParentKeepsCascadingChildren) {
  test::TempDir dir;
  using schema::Column;
  schema::Table parent{"parent", {}, {}, {}, {}, {}, {}};
  parent.columns = {{"id", "integer", true, true, false, std::nullopt}, {"label", "text", false, false, false, std::nullopt}};
  schema::Table child{"child", {}, {}, {}, {}, {}, {}};
  child.columns = {{"id", "integer", true, true, false, std::nullopt}, {"parent_id", "integer", false, true, false, std::nullopt}};
  child.foreign_keys = {{"child_parent_id_parent_id_fk", "child", "parent", {"parent_id"}, {"id"}, "cascade", "no action"}};
  fs::create_directories(dir / "m");
  MigrationFolder folder(dir / "m");
  generate_migration(folder, schema::Schema{{parent, child}}, {"init", {}, false});
  const auto db = open_sqlite(dir / "x.db", OpenMode::create_if_missing);
  apply_migrations(*db, folder);
  db->execute("INSERT INTO parent(id, label) VALUES (1, 'a'), (2, 'b')");
  db->execute("INSERT INTO child(id, parent_id) VALUES (1, 1), (2, 1), (3, 2)");

  parent.columns[1].not_null = true;  // SQLite cannot alter this in place: a rebuild
  parent.columns[1].default_value = schema::ColumnDefault{schema::ColumnDefault::Kind::sql, "''"};
  const auto r = generate_migration(folder, schema::Schema{{parent, child}}, {"label_required", {}, false});
  ASSERT_TRUE(r.sql_file);
  ASSERT_NE(read_file(*r.sql_file).find("DROP TABLE `parent`;"), std::string::npos);
  EXPECT_EQ(apply_migrations(*db, folder).applied.size(), 1u);
  const auto n = db->execute("SELECT count(*) FROM child");
  EXPECT_EQ(std::get<std::int64_t>(n.cells[0]), 3);
  EXPECT_EQ(std::get<std::int64_t>(db->execute("PRAGMA foreign_keys").cells[0]), 1) << "enforcement restored";
}

TEST(MigrateRunner, FailureInThirdOfFiveLeavesDatabaseAsBefore) {
  test::TempDir dir;
  const auto db = open_sqlite(dir / "x.db", OpenMode::create_if_missing);
  db->execute("CREATE TABLE keep(v)");
  db->execute("INSERT INTO keep VALUES (1), (2)");
  const auto before = everything(*db);
  write_folder(dir / "m", {"CREATE TABLE a(x);--> statement-breakpoint\nINSERT INTO a VALUES (1);",
                           "ALTER TABLE keep ADD w integer;--> statement-breakpoint\nUPDATE keep SET w = 7;",
                           "CREATE TABLE c(x);--> statement-breakpoint\nINSERT INTO no_such_table VALUES (1);",
                           "CREATE TABLE d(x);", "DROP TABLE keep;"});
  try {
    apply_migrations(*db, MigrationFolder(dir / "m"));
    FAIL() << "the third migration must fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("0002_m2.sql statement 2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(everything(*db), before);
}

TEST(MigrateRunner, ForeignKeyViolationRollsBack) {
  test::TempDir dir;
  const auto db = open_sqlite(dir / "x.db", OpenMode::create_if_missing);
  write_folder(dir / "m", {"CREATE TABLE p(id integer PRIMARY KEY);--> statement-breakpoint\n"
                           "CREATE TABLE c(p integer REFERENCES p(id));--> statement-breakpoint\nINSERT INTO c VALUES (5);"});
  EXPECT_THROW(apply_migrations(*db, MigrationFolder(dir / "m")), Error);
  EXPECT_EQ(db->execute("SELECT name FROM sqlite_master WHERE name = 'c'").row_count(), 0u);
}

test::RunResult run(std::vector<std::string> argv, const fs::path& cwd, const std::map<std::string, std::string>& env) {
  return test::run_command({std::move(argv), env, cwd, cwd / "stderr.txt"}, std::chrono::seconds(60));
}

TEST(MigrateRunner, EditedAppliedMigrationFailsCheckAndStartNamingTheFile) {
  test::TempDir dir;
  write_folder(dir / "m", {"CREATE TABLE a(x);", "CREATE TABLE b(x);"});
  const std::map<std::string, std::string> env{{"DB_TYPE", "sqlite"},
                                               {"SQLITE_DB_PATH", (dir / "x.db").string()},
                                               {"DEPLOYSTACK_MIGRATIONS_DIR", (dir / "m").string()},
                                               {"PORT", "0"}};
  ASSERT_EQ(run({DS_BINARY_PATH, "db", "up"}, dir.path(), env).status, 0) << read_file(dir / "stderr.txt");
  // No snapshots in a hand-written folder: check reports that, and the schema; the file is what matters here.
  write_file_atomically(dir / "m" / "0001_m1.sql", "CREATE TABLE b(x, y);");
  const auto check = run({DS_BINARY_PATH, "db", "check"}, dir.path(), env);
  EXPECT_NE(check.status, 0);
  EXPECT_NE(read_file(dir / "stderr.txt").find("0001_m1.sql was changed after it was applied"), std::string::npos)
      << read_file(dir / "stderr.txt");
  const auto up = run({DS_BINARY_PATH, "db", "up"}, dir.path(), env);
  EXPECT_NE(up.status, 0);

  test::Subprocess server({{DS_BINARY_PATH, "serve"}, env, dir.path(), dir / "server.txt"});
  ASSERT_TRUE(server.wait_for_line("deploystack listening on"));
  server.signal(SIGTERM);
  server.wait();
  const auto log = read_file(dir / "server.txt");
  EXPECT_NE(log.find("0001_m1.sql was changed after it was applied"), std::string::npos) << log;
}

TEST(MigrateRunner, TwoProcessesAtOnceApplyOnce) {
  test::TempDir dir;
  // Long enough that the two runs overlap: the first holds the write lock while it works.
  write_folder(dir / "m", {"CREATE TABLE big(x);--> statement-breakpoint\n"
                           "INSERT INTO big WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT i FROM n;",
                           "CREATE INDEX big_x ON big(x);"});
  const std::map<std::string, std::string> env{{"DB_TYPE", "sqlite"},
                                               {"SQLITE_DB_PATH", (dir / "x.db").string()},
                                               {"DEPLOYSTACK_MIGRATIONS_DIR", (dir / "m").string()}};
  // The file exists first, so neither run races on creating it.
  open_sqlite(dir / "x.db", OpenMode::create_if_missing);
  test::Subprocess a({{DS_BINARY_PATH, "db", "up"}, env, dir.path(), dir / "a.txt"});
  test::Subprocess b({{DS_BINARY_PATH, "db", "up"}, env, dir.path(), dir / "b.txt"});
  // The first line says it all: "applied 0000_m0" or "Nothing pending: ...".
  const auto first_a = a.wait_for_line("", std::chrono::seconds(60));
  const auto first_b = b.wait_for_line("", std::chrono::seconds(60));
  ASSERT_EQ(a.wait(std::chrono::seconds(60)), 0) << read_file(dir / "a.txt");
  ASSERT_EQ(b.wait(std::chrono::seconds(60)), 0) << read_file(dir / "b.txt");
  ASSERT_TRUE(first_a && first_b);
  const bool a_applied = first_a->starts_with("applied 0000_m0");
  const bool b_applied = first_b->starts_with("applied 0000_m0");
  EXPECT_NE(a_applied, b_applied) << *first_a << "\n--\n" << *first_b;
  EXPECT_TRUE((a_applied ? *first_b : *first_a).starts_with("Nothing pending")) << *first_a << "\n--\n" << *first_b;
  const auto db = open_sqlite(dir / "x.db", OpenMode::must_exist);
  EXPECT_EQ(std::get<std::int64_t>(db->execute("SELECT count(*) FROM \"__drizzle_migrations\"").cells[0]), 2);
}

}  // namespace
}  // namespace ds::db::migrate
