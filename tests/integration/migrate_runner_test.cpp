// The runner's safety rules against the real binary, on a real SQLite file and on the local
// Turso server (one suite parametrised by database): rebuilds keep cascading children, any
// failure leaves the database untouched, edited files are refused, drift is reported, the
// server applies pending migrations at start. SQLite-only at the end: what the local tursodb
// cannot do (see the comment on each).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "db/migrate/generate.hpp"
#include "db/migrate/runner.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "support/migrated_tables.hpp"
#include "support/server_process.hpp"
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

// parent(id, label) and child(id, parent_id -> parent.id ON DELETE CASCADE); lower-case names
// because the local tursodb lower-cases them in sqlite_master.
schema::Schema parent_and_child(bool label_required) {
  schema::Table parent{"parent", {}, {}, {}, {}, {}, {}};
  parent.columns = {{"id", "integer", true, true, false, std::nullopt}, {"label", "text", false, false, false, std::nullopt}};
  if (label_required) {
    parent.columns[1].not_null = true;  // SQLite cannot alter this in place: a rebuild
    parent.columns[1].default_value = schema::ColumnDefault{schema::ColumnDefault::Kind::sql, "''"};
  }
  schema::Table child{"child", {}, {}, {}, {}, {}, {}};
  child.columns = {{"id", "integer", true, true, false, std::nullopt}, {"parent_id", "integer", false, true, false, std::nullopt}};
  child.foreign_keys = {{"child_parent_id_parent_id_fk", "child", "parent", {"parent_id"}, {"id"}, "cascade", "no action"}};
  return schema::Schema{{parent, child}};
}


// A server folder whose server and CLI use the backend's database (DB_TYPE set, so no setup
// call is needed) and the migrations in <folder>/m.
class MigrateRunner : public ::testing::TestWithParam<test::BackendFactory> {
 protected:
  MigrateRunner() {
    server_.env()["DB_TYPE"] = backend_->type();
    server_.env()["DEPLOYSTACK_MIGRATIONS_DIR"] = folder().string();
  }

  test::ServerProcess& server() { return server_; }
  fs::path folder() const { return server_.dir() / "m"; }
  // The test's own connection to the database (created if needed).
  std::shared_ptr<Connection> db() { return backend_->connect(/*create=*/true); }

  struct Cli {
    int status;
    std::string out;
    std::string err;  // what this run wrote to stderr
  };
  Cli cli(const std::vector<std::string>& args) {
    const auto log = server_.dir() / "cli.log";
    const auto before = fs::exists(log) ? fs::file_size(log) : 0;
    const auto r = server_.run_cli(args);
    return {r.status, r.out, fs::exists(log) ? read_file(log).substr(before) : ""};
  }

  std::shared_ptr<test::DatabaseBackend> backend_ = GetParam()();
  test::ServerProcess server_{{}, backend_};
};

TEST_P(MigrateRunner, RebuildOfParentKeepsCascadingChildren) {
  fs::create_directories(folder());
  MigrationFolder folder(this->folder());
  generate_migration(folder, parent_and_child(false), {"init", {}, false});
  const auto db = this->db();
  apply_migrations(*db, folder);
  db->execute("INSERT INTO parent(id, label) VALUES (1, 'a'), (2, 'b')");
  db->execute("INSERT INTO child(id, parent_id) VALUES (1, 1), (2, 1), (3, 2)");

  const auto r = generate_migration(folder, parent_and_child(true), {"label_required", {}, false});
  ASSERT_TRUE(r.sql_file);
  ASSERT_NE(read_file(*r.sql_file).find("DROP TABLE `parent`;"), std::string::npos);
  EXPECT_EQ(apply_migrations(*db, folder).applied.size(), 1u);
  const auto n = db->execute("SELECT count(*) FROM child");
  EXPECT_EQ(std::get<std::int64_t>(n.cells[0]), 3);
  EXPECT_EQ(std::get<std::int64_t>(db->execute("PRAGMA foreign_keys").cells[0]), 1) << "enforcement restored";
}

// The five migrations of the failure tests: the third fails at its second statement.
const std::vector<std::string> kThirdOfFiveFails = {
    "CREATE TABLE a(x);--> statement-breakpoint\nINSERT INTO a VALUES (1);",
    "ALTER TABLE keep ADD w integer;--> statement-breakpoint\nUPDATE keep SET w = 7;",
    "CREATE TABLE c(x);--> statement-breakpoint\nINSERT INTO no_such_table VALUES (1);", "CREATE TABLE d(x);",
    "DROP TABLE keep;"};

TEST_P(MigrateRunner, FailureInThirdOfFiveLeavesDatabaseAsBefore) {
  const auto db = this->db();
  db->execute("CREATE TABLE keep(v)");
  db->execute("INSERT INTO keep VALUES (1), (2)");
  const auto before = everything(*db);
  write_folder(folder(), kThirdOfFiveFails);
  try {
    apply_migrations(*db, MigrationFolder(folder()));
    FAIL() << "the third migration must fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("0002_m2.sql statement 2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(everything(*db), before);
}

// A migration that leaves an orphan row rolls back whole: the runner checks foreign keys
// before COMMIT. On every database that has pragma_foreign_key_check: SQLite, and the Hrana
// test server (whose connections start with foreign keys off). The local tursodb lacks the
// pragma, so there the driver logs that foreign keys went unchecked; it is not instantiated.
class MigrateRunnerForeignKeyCheck : public MigrateRunner {};

TEST_P(MigrateRunnerForeignKeyCheck, AViolationRollsTheMigrationBack) {
  write_folder(folder(), {"CREATE TABLE p(id integer PRIMARY KEY);--> statement-breakpoint\n"
                          "CREATE TABLE c(p integer REFERENCES p(id));--> "
                          "statement-breakpoint\nINSERT INTO c VALUES (5);"});
  const auto db = this->db();
  try {
    apply_migrations(*db, MigrationFolder(folder()));
    FAIL() << "a migration leaving an orphan row was committed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::constraint) << e.what();
  }
  EXPECT_EQ(db->execute("SELECT name FROM sqlite_master WHERE name = 'c'").row_count(), 0u);
  EXPECT_EQ(std::get<std::int64_t>(db->execute("PRAGMA foreign_keys").cells[0]), 1)
      << "enforcement restored";
}

INSTANTIATE_TEST_SUITE_P(Sqlite, MigrateRunnerForeignKeyCheck,
                         ::testing::Values(&test::sqlite_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV2, MigrateRunnerForeignKeyCheck,
                         ::testing::Values(&test::hrana_v2_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV3, MigrateRunnerForeignKeyCheck,
                         ::testing::Values(&test::hrana_v3_backend), ds::test::backend_name);

TEST_P(MigrateRunner, EditedAppliedMigrationFailsCheckAndStartNamingTheFile) {
  write_folder(folder(), {"CREATE TABLE a(x);", "CREATE TABLE b(x);"});
  const auto first = cli({"db", "up"});
  ASSERT_EQ(first.status, 0) << first.err;
  // No snapshots in a hand-written folder: check reports that, and the schema; the file is what matters here.
  write_file_atomically(folder() / "0001_m1.sql", "CREATE TABLE b(x, y);");
  const auto check = cli({"db", "check"});
  EXPECT_NE(check.status, 0);
  EXPECT_NE(check.err.find("0001_m1.sql was changed after it was applied"), std::string::npos) << check.err;
  const auto up = cli({"db", "up"});
  EXPECT_NE(up.status, 0);
  EXPECT_NE(up.err.find("0001_m1.sql was changed after it was applied"), std::string::npos) << up.err;

  server().start();
  EXPECT_EQ(server().request("GET", "/api/db/status").body,
            R"({"configured":true,"initialized":false,"dialect":")" + backend_->type() + R"("})");
  EXPECT_EQ(server().stop(), 0);
  EXPECT_NE(server().log().find("0001_m1.sql was changed after it was applied"), std::string::npos) << server().log();
}

TEST_P(MigrateRunner, DbUpFailureLeavesTheDatabaseAsBeforeAndARetryApplies) {
  {
    const auto db = this->db();
    db->execute("CREATE TABLE keep(v)");
    db->execute("INSERT INTO keep VALUES (1), (2)");
  }
  const auto before = everything(*db());
  write_folder(folder(), kThirdOfFiveFails);
  const auto failed = cli({"db", "up"});
  EXPECT_NE(failed.status, 0);
  EXPECT_NE(failed.err.find("0002_m2.sql statement 2"), std::string::npos) << failed.err;
  EXPECT_EQ(everything(*db()), before);

  // Fixed before it was ever applied: the same command now applies all five at once.
  write_file_atomically(folder() / "0002_m2.sql", "CREATE TABLE c(x);--> statement-breakpoint\nINSERT INTO c VALUES (1);");
  const auto fixed = cli({"db", "up"});
  ASSERT_EQ(fixed.status, 0) << fixed.err;
  EXPECT_NE(fixed.out.find("5 migration(s) applied."), std::string::npos) << fixed.out;
  const auto db = this->db();
  EXPECT_EQ(db->execute("SELECT name FROM sqlite_master WHERE name = 'keep'").row_count(), 0u);
  EXPECT_EQ(std::get<std::int64_t>(db->execute("SELECT count(*) FROM c").cells.at(0)), 1);
  EXPECT_EQ(std::get<std::int64_t>(db->execute("SELECT count(*) FROM \"__drizzle_migrations\"").cells.at(0)), 5);
  EXPECT_NE(cli({"db", "up"}).out.find("Nothing pending"), std::string::npos);
}

TEST_P(MigrateRunner, CheckReportsSchemaDriftMadeBehindTheRunnersBack) {
  fs::create_directories(folder());
  MigrationFolder folder(this->folder());
  generate_migration(folder, parent_and_child(false), {"init", {}, false});
  const auto up = cli({"db", "up"});
  ASSERT_EQ(up.status, 0) << up.err;
  const auto clean = cli({"db", "check"});
  EXPECT_EQ(clean.status, 0) << clean.err;
  EXPECT_TRUE(clean.out.starts_with("ok: ")) << clean.out;

  db()->execute("ALTER TABLE child ADD COLUMN note text");
  const auto drift = cli({"db", "check"});
  EXPECT_EQ(drift.status, 2) << drift.out << drift.err;
  EXPECT_NE(drift.err.find("drift: "), std::string::npos) << drift.err;
  EXPECT_NE(drift.err.find("note"), std::string::npos) << drift.err;
}

// The core migrations plus one added later: the next start applies it before reporting ready.
TEST_P(MigrateRunner, StartUpAppliesPendingMigrations) {
  server().env().erase("DB_TYPE");
  fs::copy(ds::test::core_migrations_dir(), folder(), fs::copy_options::recursive);
  server().start();
  ASSERT_EQ(server().setup_database().status, 200) << server().log();
  ASSERT_EQ(server().stop(), 0);
  const auto count = [&] {
    return std::get<std::int64_t>(db()->execute("SELECT count(*) FROM \"__drizzle_migrations\"").cells.at(0));
  };
  const auto applied_at_setup = count();

  const auto generated = cli({"db", "generate", "--custom", "--name", "extra_notes"});
  ASSERT_EQ(generated.status, 0) << generated.err;
  std::optional<fs::path> sql;
  for (const auto& e : fs::directory_iterator(folder())) {
    if (e.path().filename().string().ends_with("_extra_notes.sql")) sql = e.path();
  }
  ASSERT_TRUE(sql) << generated.out;
  write_file_atomically(*sql, "CREATE TABLE extra_notes(id integer PRIMARY KEY, body text);");

  server().start();
  EXPECT_EQ(server().request("GET", "/api/db/status").body, R"({"configured":true,"initialized":true,"dialect":")" +
                                                                  backend_->type() + R"("})");
  EXPECT_EQ(server().log_count("_extra_notes .. "), 1) << server().log();
  ASSERT_EQ(server().stop(), 0);
  EXPECT_EQ(count(), applied_at_setup + 1);
  EXPECT_EQ(db()->execute("SELECT name FROM sqlite_master WHERE name = 'extra_notes'").row_count(), 1u);
}

// Migration 0002 turns the projects' second timestamps into milliseconds: a database set up
// before it keeps its instants, and the API shows them unchanged.
TEST_P(MigrateRunner, ProjectTimestampsMoveFromSecondsToMillisecondsKeepingTheirInstant) {
  server().env().erase("DB_TYPE");
  const auto core = ds::test::core_migrations_dir();
  fs::copy(core, folder(), fs::copy_options::recursive);
  // The folder as it was before 0002: its first two migrations.
  auto journal = nlohmann::json::parse(read_file(core / "meta" / "_journal.json"));
  auto& entries = journal["entries"];
  ASSERT_GT(entries.size(), 2u);
  for (std::size_t i = 2; i < entries.size(); ++i) {
    const std::string tag = entries[i]["tag"];
    fs::remove(folder() / (tag + ".sql"));
    fs::remove(folder() / "meta" / fmt::format("{}_snapshot.json", tag.substr(0, 4)));
  }
  entries.erase(entries.begin() + 2, entries.end());
  write_file_atomically(folder() / "meta" / "_journal.json", journal.dump(2));
  server().start();
  ASSERT_EQ(server().setup_database().status, 200) << server().log();
  ASSERT_EQ(server().stop(), 0);
  const std::int64_t seconds = 1767225600;  // 2026-01-01T00:00:00Z, as the old code stored it
  db()->execute(fmt::format(
      "INSERT INTO projects (id, name, created_at, updated_at) VALUES ('p', 'old', {0}, {0})",
      seconds));

  fs::copy(core, folder(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  const auto up = cli({"db", "up"});
  ASSERT_EQ(up.status, 0) << up.err;
  const auto row = db()->execute("SELECT created_at, updated_at FROM projects WHERE id = 'p'");
  EXPECT_EQ(std::get<std::int64_t>(row.cells.at(0)), seconds * 1000);
  EXPECT_EQ(std::get<std::int64_t>(row.cells.at(1)), seconds * 1000);
  server().start();
  const auto got = server().request("GET", "/api/projects/p");
  EXPECT_EQ(nlohmann::json::parse(got.body)["createdAt"], "2026-01-01T00:00:00.000Z") << got.body;
  EXPECT_EQ(server().stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, MigrateRunner, ::testing::Values(&test::sqlite_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(Turso, MigrateRunner, ::testing::Values(&test::turso_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV2, MigrateRunner, ::testing::Values(&test::hrana_v2_backend),
                         ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV3, MigrateRunner, ::testing::Values(&test::hrana_v3_backend),
                         ds::test::backend_name);

// SQLite-only: this is about the database's write lock serializing two runners; the local
// tursodb shares one connection between its clients (no isolation), so it cannot serialize them.
TEST(MigrateRunnerSqlite, TwoProcessesAtOnceApplyOnce) {
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
  // Each from its own folder: two runs from one data folder are refused by its lock before
  // they reach the database (DataDirLock); this is about the database's own write lock, as
  // when two hosts share one database.
  std::filesystem::create_directories(dir / "a");
  std::filesystem::create_directories(dir / "b");
  test::Subprocess a({{DS_BINARY_PATH, "db", "up"}, env, dir / "a", dir / "a.txt"});
  test::Subprocess b({{DS_BINARY_PATH, "db", "up"}, env, dir / "b", dir / "b.txt"});
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
