// The typed query API against hand-written prepared sqlite3_* code, on the same kind of
// database file (WAL, synchronous=NORMAL, foreign keys on), for: insert one row, select by
// primary key, select 100 rows. Each side reads rows into owned C++ values.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "db/migrate/folder.hpp"
#include "db/migrate/runner.hpp"
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"
#include "db/sqlite/sqlite_database.hpp"

namespace {

using namespace ds::db::core;
namespace fs = std::filesystem;

constexpr int kRows = 1000;

struct Project {  // what the hand-written side reads into
  std::string id, name;
  std::optional<std::string> description, user_id;
  std::int64_t created_at = 0, updated_at = 0;
};

fs::path fresh_db(const char* name) {
  const auto dir = fs::temp_directory_path() / ("ds-query-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto path = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
  auto conn = ds::db::open_sqlite(path, ds::db::OpenMode::create_if_missing);
  // The tables as the server makes them: the checked-in core migrations.
  ds::db::migrate::apply_migrations(*conn,
                                    ds::db::migrate::MigrationFolder(DS_CORE_MIGRATIONS_DIR));
  ds::db::query::Db db(*conn);
  db.transaction([](ds::db::query::Tx& tx) {
    for (int i = 0; i < kRows; ++i) {
      const auto t = std::chrono::sys_seconds(std::chrono::seconds(1'700'000'000 + i));
      tx.insert(projects).values({.id = "seed-" + std::to_string(i), .name = "Project " + std::to_string(i),
                                  .description = "a seeded project", .created_at = t, .updated_at = t}).run();
    }
  });
  return path;
}

// ---- hand-written ------------------------------------------------------------------------
class Raw {
 public:
  explicit Raw(const fs::path& path) {
    sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    sqlite3_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
  }
  ~Raw() {
    for (auto* s : stmts_) sqlite3_finalize(s);
    sqlite3_close_v2(db_);
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    stmts_.push_back(s);
    return s;
  }
  static std::string text(sqlite3_stmt* s, int i) {
    return {reinterpret_cast<const char*>(sqlite3_column_text(s, i)), static_cast<std::size_t>(sqlite3_column_bytes(s, i))};
  }
  static std::optional<std::string> opt_text(sqlite3_stmt* s, int i) {
    if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
    return text(s, i);
  }
  static Project read(sqlite3_stmt* s) {
    return {text(s, 0), text(s, 1), opt_text(s, 2), opt_text(s, 3), sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5)};
  }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> stmts_;
};

void BM_Raw_InsertOne(benchmark::State& state) {
  Raw raw(fresh_db("raw_insert.db"));
  auto* s = raw.prepare(
      "INSERT INTO projects (id, name, description, user_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)");
  std::int64_t n = 0;
  for (auto _ : state) {
    const std::string id = "raw-" + std::to_string(n++);
    const std::int64_t now = ds::now_seconds().time_since_epoch().count();
    sqlite3_bind_text(s, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    sqlite3_bind_text(s, 2, "name", 4, SQLITE_STATIC);
    sqlite3_bind_null(s, 3);
    sqlite3_bind_null(s, 4);
    sqlite3_bind_int64(s, 5, now);
    sqlite3_bind_int64(s, 6, now);
    if (sqlite3_step(s) != SQLITE_DONE) state.SkipWithError("insert failed");
    sqlite3_reset(s);
  }
}

void BM_Typed_InsertOne(benchmark::State& state) {
  auto conn = ds::db::open_sqlite(fresh_db("typed_insert.db"), ds::db::OpenMode::must_exist);
  ds::db::query::Db db(*conn);
  std::int64_t n = 0;
  for (auto _ : state) {
    db.insert(projects).values({.id = "typed-" + std::to_string(n++), .name = "name"}).run();
  }
}

void BM_Raw_SelectByPk(benchmark::State& state) {
  Raw raw(fresh_db("raw_pk.db"));
  auto* s = raw.prepare(
      "SELECT id, name, description, user_id, created_at, updated_at FROM projects WHERE id = ?");
  int i = 0;
  for (auto _ : state) {
    const std::string id = "seed-" + std::to_string(i++ % kRows);
    sqlite3_bind_text(s, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    std::optional<Project> p;
    if (sqlite3_step(s) == SQLITE_ROW) p = Raw::read(s);
    sqlite3_reset(s);
    benchmark::DoNotOptimize(p);
  }
}

void BM_Typed_SelectByPk(benchmark::State& state) {
  auto conn = ds::db::open_sqlite(fresh_db("typed_pk.db"), ds::db::OpenMode::must_exist);
  ds::db::query::Db db(*conn);
  int i = 0;
  for (auto _ : state) {
    const std::string id = "seed-" + std::to_string(i++ % kRows);
    auto p = db.select(projects).where(projects.id == id).first();
    benchmark::DoNotOptimize(p);
  }
}

void BM_Raw_Select100(benchmark::State& state) {
  Raw raw(fresh_db("raw_100.db"));
  auto* s = raw.prepare(
      "SELECT id, name, description, user_id, created_at, updated_at FROM projects ORDER BY created_at, id LIMIT ?");
  for (auto _ : state) {
    std::vector<Project> rows;
    sqlite3_bind_int64(s, 1, 100);
    while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(Raw::read(s));
    sqlite3_reset(s);
    benchmark::DoNotOptimize(rows);
  }
}

void BM_Typed_Select100(benchmark::State& state) {
  auto conn = ds::db::open_sqlite(fresh_db("typed_100.db"), ds::db::OpenMode::must_exist);
  ds::db::query::Db db(*conn);
  for (auto _ : state) {
    auto rows = db.select(projects).order_by(projects.created_at, projects.id).limit(100).all();
    benchmark::DoNotOptimize(rows);
  }
}

BENCHMARK(BM_Raw_InsertOne);
BENCHMARK(BM_Typed_InsertOne);
BENCHMARK(BM_Raw_SelectByPk);
BENCHMARK(BM_Typed_SelectByPk);
BENCHMARK(BM_Raw_Select100);
BENCHMARK(BM_Typed_Select100);

}  // namespace

BENCHMARK_MAIN();
