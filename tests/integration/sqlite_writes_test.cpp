// Sustained writes on SQLite through the real binary: one writer with group commit answers
// only 201 or 409 under any load, acknowledged writes survive kill -9, and another process
// writing the same file does not make requests fail.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "db/sqlite/sqlite_database.hpp"
#include "support/server_process.hpp"
#include "test_helpers.hpp"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::int64_t count_rows(ds::db::Connection& db, const std::string& sql) {
  return std::get<std::int64_t>(db.execute(sql).cells.at(0));
}

TEST(SqliteWrites, SixtyFourWritersForTenSecondsGetOnly201Or409) {
  ds::test::ServerProcess server(ds::test::ServerProcess::Env{{"METRICS_PUBLIC", "1"}});
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  std::atomic<int> created{0}, refused{0};
  std::mutex mutex;
  std::map<int, int> other;  // status -> count: must stay empty
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  std::vector<std::thread> writers;
  for (int t = 0; t < 64; ++t) {
    writers.emplace_back([&, t] {
      auto client = server.client();
      for (int i = 0; Clock::now() < deadline; ++i) {
        // One write in eight names a user that does not exist: a constraint error inside a
        // group of writes that commit.
        const bool orphan = (i + t) % 8 == 0;
        const auto r = client->request(
            "POST", "/api/projects",
            orphan ? R"({"name":"orphan","userId":"nobody"})" : R"({"name":"storm"})");
        if (r.status == 201 && !orphan) {
          created.fetch_add(1);
        } else if (r.status == 409 && orphan) {
          refused.fetch_add(1);
        } else {
          std::lock_guard lock(mutex);
          ++other[r.status];
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_TRUE(other.empty()) << "unexpected answers, e.g. status " << other.begin()->first;
  EXPECT_GT(created.load(), 0);
  EXPECT_GT(refused.load(), 0);
  // Through the server's own figures: writes were committed in groups, and requests answered
  // 409 failed inside groups whose other writes committed (and were answered 201).
  const auto metrics = server.request("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  using ds::test::metric_value;
  EXPECT_GT(metric_value(metrics.body, "deploystack_sqlite_largest_write_group"), 1)
      << metrics.body;
  const double failed_in_group =
      metric_value(metrics.body, "deploystack_sqlite_writes_failed_in_group_total");
  EXPECT_GT(failed_in_group, 0) << metrics.body;
  EXPECT_LE(failed_in_group, refused.load());
  EXPECT_EQ(server.stop(), 0);
  const auto db = ds::db::open_sqlite(ds::test::default_sqlite_file(server.dir()),
                                      ds::db::OpenMode::must_exist);
  EXPECT_EQ(count_rows(*db, "SELECT count(*) FROM projects"), created.load());
  EXPECT_EQ(count_rows(*db, "SELECT count(*) FROM projects WHERE name = 'orphan'"), 0);
}

// kill -9 in the middle of a write storm, 50 times: every write answered 201 is in the
// database after the restart, and every row there is whole (its name and description were
// written together, so a torn write would show as a mismatch).
TEST(SqliteWrites, AcknowledgedWritesSurviveKill9MidStorm) {
  constexpr int kTrials = 50;
  constexpr int kWriters = 16;
  int kills = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    ds::test::ServerProcess server;
    server.start();
    ASSERT_EQ(server.setup_database().status, 200);
    std::mutex mutex;
    std::set<std::string> acknowledged;
    std::atomic<int> answered{0};
    std::atomic<bool> dead{false};
    std::vector<std::thread> writers;
    for (int t = 0; t < kWriters; ++t) {
      writers.emplace_back([&, t] {
        auto client = server.client();
        for (int i = 0; !dead.load(); ++i) {
          const std::string tag = "w" + std::to_string(t) + "-" + std::to_string(i);
          try {
            const auto r = client->request("POST", "/api/projects",
                                           json{{"name", tag}, {"description", tag}}.dump());
            if (r.status != 201) return;  // the server died while answering
            std::lock_guard lock(mutex);
            acknowledged.insert(json::parse(r.body)["id"].get<std::string>());
          } catch (const std::exception&) {
            return;  // the server is gone
          }
          answered.fetch_add(1);
        }
      });
    }
    // The kill lands after a varying number of answers: early, mid-group, after checkpoints.
    const int kill_after = 20 + (trial * 37) % 400;
    while (answered.load() < kill_after) std::this_thread::yield();
    server.kill9();
    ++kills;
    dead.store(true);
    for (auto& w : writers) w.join();

    const auto db = ds::db::open_sqlite(ds::test::default_sqlite_file(server.dir()),
                                        ds::db::OpenMode::must_exist);
    ASSERT_EQ(std::get<std::string>(db->execute("PRAGMA integrity_check").cells.at(0)), "ok");
    const auto rows = db->execute("SELECT id, name, description FROM projects");
    std::set<std::string> stored;
    for (std::size_t i = 0; i < rows.row_count(); ++i) {
      const auto row = rows.row(i);
      stored.insert(std::get<std::string>(row[0]));
      ASSERT_EQ(row[1], row[2]) << "a torn row in trial " << trial;
    }
    for (const auto& id : acknowledged) {
      ASSERT_TRUE(stored.contains(id))
          << "acknowledged project " << id << " lost in trial " << trial;
    }
    // The server starts again on that file and serves.
    server.restart();
    EXPECT_EQ(server.client()->request("GET", "/api/projects?limit=1").status, 200);
    EXPECT_EQ(server.stop(), 0);
  }
  EXPECT_EQ(kills, kTrials);
}

// Another process (the sqlite3 command-line tool) writing the same file while requests write:
// SQLite's busy timeout makes the two take turns; no request fails.
TEST(SqliteWrites, AConcurrentSqlite3CliWriterDoesNotFailRequests) {
  ds::test::ServerProcess server;
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  const auto file = ds::test::default_sqlite_file(server.dir());
  // 300 separate transactions, each inserting one row into the server's own table.
  std::string script = ".timeout 10000\n";
  for (int i = 0; i < 300; ++i) {
    script += "INSERT INTO projects (id, name, created_at, updated_at) VALUES ('cli-" +
              std::to_string(i) + "', 'cli', 1700000000, 1700000000);\n";
  }
  const auto script_file = server.dir() / "cli.sql";
  {
    std::FILE* f = std::fopen(script_file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(script.c_str(), f);
    std::fclose(f);
  }
  std::atomic<bool> cli_done{false};
  int cli_status = -1;
  std::thread cli([&] {
    const std::string command =
        "sqlite3 -bail '" + file.string() + "' < '" + script_file.string() + "'";
    cli_status = std::system(command.c_str());
    cli_done.store(true);
  });
  std::atomic<int> created{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&] {
      auto client = server.client();
      // At least 50 writes each, and on until the CLI has finished.
      for (int i = 0; i < 50 || !cli_done.load(); ++i) {
        const auto r = client->request("POST", "/api/projects", R"({"name":"api"})");
        (r.status == 201 ? created : failed).fetch_add(1);
      }
    });
  }
  cli.join();
  for (auto& w : writers) w.join();
  EXPECT_EQ(cli_status, 0) << "sqlite3 is installed by scripts/setup.sh";
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(server.stop(), 0);
  const auto db = ds::db::open_sqlite(file, ds::db::OpenMode::must_exist);
  EXPECT_EQ(count_rows(*db, "SELECT count(*) FROM projects WHERE name = 'cli'"), 300);
  EXPECT_EQ(count_rows(*db, "SELECT count(*) FROM projects WHERE name = 'api'"), created.load());
}

}  // namespace
