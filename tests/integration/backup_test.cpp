// Backups against the real binary (issue 17, item 6): `db backup` during a write load, kill -9
// of a backup mid-copy, `db restore` of a copy and its refusals, and POST /api/db/backup with
// the settings API's protection, on SQLite and on Turso. Every copy is read with libsqlite3
// read-only, so the test never changes what it checks.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "core/atomic_file.hpp"
#include "support/fs_watch.hpp"
#include "support/sanitizer_report.hpp"
#include "support/server_process.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

const std::string kToken = "backup-admin-token-0123456789";
const Headers kAuth = {{"Authorization", "Bearer " + kToken}};

// A database file opened read-only: reads never change it.
class ReadOnlyDb {
 public:
  explicit ReadOnlyDb(const fs::path& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      error_ = sqlite3_errmsg(db_);
  }
  ReadOnlyDb(const ReadOnlyDb&) = delete;
  ReadOnlyDb& operator=(const ReadOnlyDb&) = delete;
  ~ReadOnlyDb() { sqlite3_close(db_); }

  // Each row's first column as text; one "error: ..." entry when the statement fails.
  std::vector<std::string> column(const std::string& sql) const {
    if (!error_.empty()) return {"error: " + error_};
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      return {std::string("error: ") + sqlite3_errmsg(db_)};
    std::vector<std::string> out;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      out.emplace_back(text ? text : "NULL");
    }
    if (rc != SQLITE_DONE) out = {std::string("error: ") + sqlite3_errmsg(db_)};
    sqlite3_finalize(stmt);
    return out;
  }
  std::vector<std::string> integrity() const { return column("PRAGMA integrity_check"); }
  std::set<std::string> project_ids() const {
    const auto ids = column("SELECT id FROM projects");
    return {ids.begin(), ids.end()};
  }

 private:
  sqlite3* db_ = nullptr;
  std::string error_;
};

const std::vector<std::string> kOk = {"ok"};

std::string create_project(HttpClient& client, const std::string& name) {
  const auto r = client.request("POST", "/api/projects", R"({"name":")" + name + R"("})");
  if (r.status != 201) return {};
  return json::parse(r.body)["id"].get<std::string>();
}

// Every file of `dir` whose name contains `part`.
std::vector<fs::path> files_with(const fs::path& dir, std::string_view part) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename().string().find(part) != std::string::npos) out.push_back(e.path());
  }
  return out;
}

class Backup : public ::testing::Test {
 protected:
  void SetUp() override {
    server =
        std::make_unique<ServerProcess>(ServerProcess::Env{{"DEPLOYSTACK_ADMIN_TOKEN", kToken}});
    server->start();
    ASSERT_EQ(server->setup_database().status, 200);
  }
  void TearDown() override {
    if (server->running()) {
      EXPECT_EQ(server->stop(), 0);
    }
  }
  fs::path db_file() const { return default_sqlite_file(server->dir()); }
  std::string cli_log() const {
    return fs::exists(server->cli_log_file()) ? read_file(server->cli_log_file()) : "";
  }
  std::set<std::string> make_projects(int n, const std::string& prefix) {
    auto client = server->client();
    std::set<std::string> ids;
    for (int i = 0; i < n; ++i) ids.insert(create_project(*client, prefix + std::to_string(i)));
    return ids;
  }

  std::unique_ptr<ServerProcess> server;
};

// Four writers POST projects without pause while `db backup` copies in small, slow steps: the
// copy passes integrity_check, holds every project acknowledged (201) before the backup
// began, and the server went on acknowledging writes while the copy was made.
TEST_F(Backup, DuringAWriteLoadHoldsEveryProjectAcknowledgedBeforeItBegan) {
  std::mutex mutex;
  std::condition_variable acked_cv;
  std::vector<std::string> acked;  // in order of acknowledgement
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      auto client = server->client();
      for (int i = 0; !stop; ++i) {
        const auto id = create_project(*client, "w" + std::to_string(t) + "-" + std::to_string(i));
        if (id.empty()) {
          ++failures;
          continue;
        }
        const std::lock_guard lock(mutex);
        acked.push_back(id);
        acked_cv.notify_all();
      }
    });
  }
  std::size_t before = 0;
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(
        acked_cv.wait_for(lock, std::chrono::seconds(30), [&] { return acked.size() >= 200; }));
    before = acked.size();
  }
  const std::set<std::string> acked_before(acked.begin(),
                                           acked.begin() + static_cast<long>(before));

  auto options = server->cli_options({"db", "backup", "copies/load.db"});
  options.env["DEPLOYSTACK_BACKUP_STEP_PAGES"] = "2";
  options.env["DEPLOYSTACK_BACKUP_STEP_PAUSE_MS"] = "10";
  const auto from = file_end(server->cli_log_file());
  const auto result = run_command(options);
  std::size_t after = 0;
  {
    const std::lock_guard lock(mutex);
    after = acked.size();
  }
  stop = true;
  for (auto& w : writers) w.join();
  expect_no_sanitizer_report(server->cli_log_file(), from, "db backup");

  ASSERT_EQ(result.status, 0) << result.out << cli_log();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(after, before) << "no write was acknowledged while the backup ran";
  const auto copy = server->dir() / "copies" / "load.db";
  ReadOnlyDb db(copy);
  EXPECT_EQ(db.integrity(), kOk);
  const auto in_copy = db.project_ids();
  for (const auto& id : acked_before) EXPECT_TRUE(in_copy.contains(id)) << id;
  // One self-contained file: no WAL beside it, nothing left under a temp name.
  EXPECT_FALSE(fs::exists(copy.string() + "-wal"));
  EXPECT_TRUE(files_with(copy.parent_path(), ".tmp-").empty());
  EXPECT_NE(result.out.find("integrity ok"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("encryption key is NOT in the backup"), std::string::npos)
      << result.out;

  // The manifest: size, migrations, the key's fingerprint (the one the server logs), never the key.
  const auto manifest = json::parse(read_file(copy.string() + ".manifest.json"));
  EXPECT_EQ(manifest["bytes"].get<std::uintmax_t>(), fs::file_size(copy));
  EXPECT_EQ(manifest["integrity"], "ok");
  const auto migrations = db.column("SELECT hash FROM __drizzle_migrations ORDER BY created_at");
  EXPECT_EQ(manifest["migrations"]["count"].get<std::size_t>(), migrations.size());
  EXPECT_EQ(manifest["migrations"]["last_hash"], migrations.back());
  const std::string fingerprint = manifest["encryption_key"]["fingerprint"];
  EXPECT_NE(server->log().find("fingerprint=" + fingerprint), std::string::npos);
  EXPECT_EQ(manifest["encryption_key"]["in_backup"], false);
  const auto key = read_file(server->dir() / "persistent_data" / "encryption.key");
  const auto key_text = key.substr(0, key.find_first_of("\r\n"));
  ASSERT_FALSE(key_text.empty());
  EXPECT_EQ(read_file(copy.string() + ".manifest.json").find(key_text), std::string::npos);
  EXPECT_EQ(cli_log().find(key_text), std::string::npos);
  EXPECT_EQ(server->log().find(kToken), std::string::npos);
}

// kill -9 while the copy is under way (1 page per step, 200 ms apart: seconds for the ~15
// pages of a new database; the kill follows the "backup copying" line the first step logs):
// nothing under the final name, the temp file is what is left, the source is as it was and
// the server never noticed.
TEST_F(Backup, KilledMidCopyLeavesTheSourceAndNoFileUnderTheFinalName) {
  const auto ids = make_projects(20, "k");
  fs::create_directories(server->dir() / "copies");
  auto options = server->cli_options({"db", "backup", "copies/killed.db"});
  options.env["DEPLOYSTACK_BACKUP_STEP_PAGES"] = "1";
  options.env["DEPLOYSTACK_BACKUP_STEP_PAUSE_MS"] = "200";
  const auto from = file_end(server->cli_log_file());
  FsWatch watch(server->dir());  // cli.log is in it (and may not exist yet)
  Subprocess backup(options);
  ASSERT_TRUE(
      watch.wait_until([&] { return cli_log().find("backup copying", from) != std::string::npos; },
                       std::chrono::seconds(20)))
      << cli_log();
  backup.signal(SIGKILL);
  EXPECT_EQ(backup.wait(), 128 + SIGKILL) << "the backup ended before it was killed: " << cli_log();
  expect_no_sanitizer_report(server->cli_log_file(), from, "db backup");

  const auto dir = server->dir() / "copies";
  EXPECT_FALSE(fs::exists(dir / "killed.db"));
  EXPECT_FALSE(fs::exists(dir / "killed.db.manifest.json"));
  // What is left is the temp copy and the rollback journal of its open write transaction.
  std::set<std::string> left;
  for (const auto& f : files_with(dir, "killed.db.tmp-")) {
    auto name = f.filename().string();
    left.insert(name.ends_with("-journal") ? "journal" : "copy");
  }
  EXPECT_TRUE(left.contains("copy")) << "the copy was not under way";
  // The source: sound, every project, and the server still serves and writes it.
  EXPECT_EQ(ReadOnlyDb(db_file()).integrity(), kOk);
  EXPECT_EQ(ReadOnlyDb(db_file()).project_ids(), ids);
  auto client = server->client();
  EXPECT_FALSE(create_project(*client, "after-kill").empty());
  EXPECT_EQ(server->request("GET", "/ready").status, 200);

  // The next backup to that name is complete, whatever the killed one left.
  const auto again = server->run_cli({"db", "backup", "copies/killed.db"});
  ASSERT_EQ(again.status, 0) << again.out << cli_log();
  EXPECT_EQ(ReadOnlyDb(dir / "killed.db").integrity(), kOk);
  EXPECT_EQ(ReadOnlyDb(dir / "killed.db").project_ids().size(), ids.size() + 1);
}

// A copy restored brings its data back: projects deleted since come back, those made since go.
// The replaced database is kept whole, including what was still only in its WAL (the server
// is killed, so nothing was checkpointed), and no old WAL is applied to the restored file.
TEST_F(Backup, RestoreBringsTheCopysDataBackAndKeepsThePreviousDatabaseWhole) {
  const auto ids = make_projects(10, "r");
  const auto made = server->run_cli({"db", "backup", "copies/keep.db"});
  ASSERT_EQ(made.status, 0) << made.out << cli_log();

  auto client = server->client();
  const auto deleted = *ids.begin();
  ASSERT_EQ(client->request("DELETE", "/api/projects/" + deleted).status, 204);
  const auto later = create_project(*client, "later");
  ASSERT_FALSE(later.empty());

  // Refused while the server holds the data folder; nothing changes.
  const auto refused = server->run_cli({"db", "restore", "copies/keep.db"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(cli_log().find("stop it first"), std::string::npos) << cli_log();
  EXPECT_TRUE(ReadOnlyDb(db_file()).project_ids().contains(later));

  server->kill9();  // the last writes stay in the WAL
  ASSERT_TRUE(fs::exists(db_file().string() + "-wal"));
  const auto restored = server->run_cli({"db", "restore", "copies/keep.db"});
  ASSERT_EQ(restored.status, 0) << restored.out << cli_log();
  EXPECT_NE(restored.out.find("previous database is kept as"), std::string::npos) << restored.out;
  EXPECT_FALSE(fs::exists(db_file().string() + "-wal"));
  EXPECT_FALSE(fs::exists(db_file().string() + "-shm"));

  const auto previous = files_with(db_file().parent_path(), ".before-restore-");
  ASSERT_EQ(previous.size(), 1u);
  ReadOnlyDb before(previous.front());
  EXPECT_EQ(before.integrity(), kOk);
  EXPECT_TRUE(before.project_ids().contains(later));
  EXPECT_FALSE(before.project_ids().contains(deleted));

  server->start();
  EXPECT_EQ(server->request("GET", "/api/db/status").body, status_ready("sqlite"));
  EXPECT_EQ(server->request("GET", "/api/projects/" + deleted).status, 200);
  EXPECT_EQ(server->request("GET", "/api/projects/" + later).status, 404);
  const auto list = json::parse(server->request("GET", "/api/projects?limit=100").body);
  std::set<std::string> served;
  for (const auto& p : list) served.insert(p["id"].get<std::string>());
  EXPECT_EQ(served, ids);
  // Encrypted settings still work: the key file was left alone and matches the copy.
  const auto health = server->request("GET", "/api/settings/health", {}, kAuth);
  EXPECT_EQ(json::parse(health.body)["data"]["encryption_working"], true) << health.body;
}

// A copy that is not sound, not deploystack's, or from a newer version is refused with a
// message saying why and what to do, and the database stays byte for byte as it was.
TEST_F(Backup, RestoreRefusesACorruptOrNewerCopyAndLeavesTheDatabase) {
  make_projects(30, "c");
  ASSERT_EQ(server->run_cli({"db", "backup", "copies/good.db"}).status, 0) << cli_log();
  ASSERT_EQ(server->stop(), 0);
  const auto dir = server->dir() / "copies";
  const auto good = read_file(dir / "good.db");
  ASSERT_GT(good.size(), 8192u);

  write_file_atomically(dir / "truncated.db", std::string_view(good).substr(0, good.size() / 2));
  std::string noise(good.size(), '\0');
  std::uint32_t x = 12345;
  for (auto& c : noise) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  write_file_atomically(dir / "random.db", noise);
  // Damaged inside: a valid header, then garbage over the pages of the tables.
  std::string scribbled = good;
  for (std::size_t i = 4096; i < scribbled.size(); i += 7) scribbled[i] = static_cast<char>(i);
  write_file_atomically(dir / "scribbled.db", scribbled);
  {  // A sound SQLite database that is not deploystack's.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "other.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)", nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(db);
  }
  {  // A copy from a newer deploystack: one more migration than this binary knows.
    fs::copy_file(dir / "good.db", dir / "newer.db");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "newer.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(
            db,
            "INSERT INTO __drizzle_migrations (hash, created_at) VALUES "
            "('00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff', 99999999999999)",
            nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(db);
  }

  const auto original = read_file(db_file());
  const struct {
    const char* file;
    const char* why;
  } cases[] = {
      {"truncated.db", "not a sound SQLite database"}, {"random.db", "not a sound SQLite database"},
      {"scribbled.db", "not a sound SQLite database"}, {"other.db", "not a deploystack database"},
      {"newer.db", "made by a newer version"},         {"missing.db", "is not a file"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const auto from = file_end(server->cli_log_file());
    const auto r = server->run_cli({"db", "restore", std::string("copies/") + c.file});
    EXPECT_EQ(r.status, 1) << r.out;
    const auto said = cli_log().substr(from);
    EXPECT_NE(said.find(c.why), std::string::npos) << said;
    if (std::string_view(c.file) != "missing.db") {
      EXPECT_NE(said.find("Nothing was changed"), std::string::npos) << said;
    }
    EXPECT_EQ(read_file(db_file()), original);
    EXPECT_TRUE(files_with(db_file().parent_path(), ".tmp-").empty());
    EXPECT_TRUE(files_with(db_file().parent_path(), ".before-restore-").empty());
  }
  server->start();
  EXPECT_EQ(server->request("GET", "/api/db/status").body, status_ready("sqlite"));
}

// POST /api/db/backup: the settings API's answers without a token (401) and without a
// configured token (403), then 200 with the spec's body and a file the server named.
TEST(BackupApi, IsProtectedLikeTheSettingsApiAndAnswersWithTheFile) {
  {
    ServerProcess open_server;
    open_server.start();
    ASSERT_EQ(open_server.setup_database().status, 200);
    const auto r = open_server.request("POST", "/api/db/backup", {}, kAuth);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(open_server.request("GET", "/api/settings", {}, kAuth).status, 403);
    EXPECT_EQ(
        json::parse(r.body),
        json::parse(
            R"({"success":false,"error":"Backup API disabled: DEPLOYSTACK_ADMIN_TOKEN is not set"})"));
    EXPECT_FALSE(fs::exists(open_server.dir() / "persistent_data" / "backups"));
  }

  ServerProcess server({{"DEPLOYSTACK_ADMIN_TOKEN", kToken}});
  server.start();
  EXPECT_EQ(server.request("POST", "/api/db/backup", {}, kAuth).status, 503);  // before setup
  ASSERT_EQ(server.setup_database().status, 200);
  const auto settings_401 = server.request("GET", "/api/settings");
  for (const Headers& h : {Headers{}, Headers{{"Authorization", "Bearer wrong"}},
                           Headers{{"Authorization", kToken}}}) {
    const auto r = server.request("POST", "/api/db/backup", {}, h);
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(r.body, settings_401.body);
  }
  EXPECT_FALSE(fs::exists(server.dir() / "persistent_data" / "backups"));

  auto client = server.client();
  const auto id = create_project(*client, "in-the-backup");
  std::set<std::string> files;
  for (int i = 0; i < 2; ++i) {
    const auto r = server.request("POST", "/api/db/backup", {}, kAuth);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), kJsonContentType);
    const auto body = json::parse(r.body);
    std::vector<std::string> keys;
    for (const auto& [k, v] : body.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"success", "data"}));
    EXPECT_EQ(body["success"], true);
    keys.clear();
    for (const auto& [k, v] : body["data"].items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"file", "bytes", "integrity"}));
    const std::string file = body["data"]["file"];
    EXPECT_TRUE(std::regex_match(
        file, std::regex(R"(persistent_data/backups/\d{8}T\d{6}\.\d{3}Z(-\d+)?\.db)")))
        << file;
    EXPECT_EQ(body["data"]["integrity"], "ok");
    EXPECT_EQ(body["data"]["bytes"].get<std::uintmax_t>(), fs::file_size(server.dir() / file));
    ReadOnlyDb copy(server.dir() / file);
    EXPECT_EQ(copy.integrity(), kOk);
    EXPECT_TRUE(copy.project_ids().contains(id));
    EXPECT_TRUE(fs::exists(server.dir() / (file + ".manifest.json")));
    files.insert(file);
  }
  EXPECT_EQ(files.size(), 2u) << "two backups, two files";
  // A client never names the path: a body is ignored.
  EXPECT_EQ(server.request("POST", "/api/db/backup", R"({"file":"/tmp/x.db"})", kAuth).status, 200);
  EXPECT_FALSE(fs::exists("/tmp/x.db"));
  EXPECT_EQ(server.log().find(kToken), std::string::npos);
  EXPECT_EQ(server.stop(), 0);
}

// On Turso there is no file to copy: the route answers 400 and the commands exit 1, each
// saying what to use instead; nothing is written.
TEST(BackupTurso, RouteAnswers400AndCommandsSayWhatToUseInstead) {
  ServerProcess server({{"DEPLOYSTACK_ADMIN_TOKEN", kToken}}, turso_backend());
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  const auto r = server.request("POST", "/api/db/backup", {}, kAuth);
  EXPECT_EQ(r.status, 400) << r.body;
  const auto body = json::parse(r.body);
  EXPECT_EQ(body["success"], false);
  const std::string details = body.value("details", "");
  EXPECT_NE(details.find("point-in-time restore"), std::string::npos) << r.body;
  EXPECT_NE(details.find("turso db shell"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(kTursoTestToken), std::string::npos);
  EXPECT_FALSE(fs::exists(server.dir() / "persistent_data" / "backups"));

  for (const char* command : {"backup", "restore"}) {
    SCOPED_TRACE(command);
    const auto log = server.dir() / "cli.log";
    const auto from = file_end(log);
    const auto cli = server.run_cli({"db", command, "turso-copy.db"});
    EXPECT_EQ(cli.status, 1);
    const auto said = read_file(log).substr(from);
    EXPECT_NE(said.find("turso db shell"), std::string::npos) << said;
    EXPECT_FALSE(fs::exists(server.dir() / "turso-copy.db"));
  }
  EXPECT_EQ(server.log().find(kTursoTestToken), std::string::npos);
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace ds::test
