// Issue 12, items 6, 8, 9 and 10, from outside: the real binary on real files, a silent peer
// for a hung Turso server. Faults at start leave the server up and degraded with a log line
// saying what to do; setup never replaces what it cannot read; a hung peer cannot hold the exit.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/database_backend.hpp"
#include "support/server_process.hpp"
#include "support/silent_peer.hpp"
#include "test_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using ds::test::HttpResponse;
using ds::test::ServerProcess;
using ds::test::SilentPeer;
using nlohmann::json;

constexpr const char* kToken = "boot-faults-token-never-logged";
const std::string kInvalidSelectionStatus =
    R"({"configured":true,"initialized":false,"dialect":null})";
const std::string kSqliteNotInitialized =
    R"({"configured":true,"initialized":false,"dialect":"sqlite"})";
const std::string kConfigurationIncomplete =
    "Database configuration incomplete. Please check environment variables.";

HttpResponse post_setup(const ServerProcess& server, const std::string& type) {
  return server.request("POST", "/api/db/setup", R"({"type":")" + type + R"("})",
                        {{"Content-Type", "application/json"}});
}

std::string status_of(const ServerProcess& server) {
  return server.request("GET", "/api/db/status").body;
}

// --- item 8: a silent Turso peer -------------------------------------------------------------

// SIGTERM while setup waits on a peer that never answers: the server exits at the end of its
// grace period (10 s), not after 3 attempts x TURSO_TIMEOUT_MS.
TEST(BootFaults, SigtermDuringAHungTursoSetupExitsAfterTheGracePeriod) {
  SilentPeer peer;
  ServerProcess server({{"TURSO_DATABASE_URL", peer.url()},
                        {"TURSO_AUTH_TOKEN", kToken},
                        {"TURSO_TIMEOUT_MS", "120000"}});
  server.start();
  HttpResponse answer;
  std::thread setup([&] {
    try {
      answer = post_setup(server, "turso");
    } catch (const std::exception&) {  // the connection ended without an answer: status 0
    }
  });
  ASSERT_TRUE(peer.wait_accepted(1)) << server.log();
  const auto code = server.stop(std::chrono::seconds(40));
  setup.join();
  ASSERT_TRUE(code.has_value()) << "still running 40 s after SIGTERM\n" << server.log();
  EXPECT_EQ(*code, 0) << server.log();
  EXPECT_TRUE(answer.status == 0 || answer.status == 500) << answer.status << " " << answer.body;
  EXPECT_EQ(server.log().find(kToken), std::string::npos);
  EXPECT_FALSE(fs::exists(server.selection_file()));
}

// A silent peer gets one attempt bounded by TURSO_TIMEOUT_MS: setup answers the documented 500
// after it, and no retry starts a fresh full timeout.
TEST(BootFaults, SetupAgainstASilentPeerAnswers500WithinTheTotalTimeout) {
  SilentPeer peer;
  ServerProcess server({{"TURSO_DATABASE_URL", peer.url()},
                        {"TURSO_AUTH_TOKEN", kToken},
                        {"TURSO_TIMEOUT_MS", "1500"}});
  server.start();
  const auto r = post_setup(server, "turso");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(json::parse(r.body, nullptr, false).value("error", ""),
            "Database initialization failed. Check server logs and configuration.")
      << r.body;
  EXPECT_NE(r.body.find("timed out"), std::string::npos) << r.body;
  EXPECT_EQ(peer.accepted(), 1u) << "a retry started after the total timeout was spent";
  EXPECT_EQ(r.body.find(kToken), std::string::npos);
  EXPECT_FALSE(fs::exists(server.selection_file()));
  EXPECT_EQ(server.stop(), 0);
}

// --- item 10: configuration that cannot work ------------------------------------------------

TEST(BootFaults, AControlCharacterInTheTokenIs400AndNeverPrinted) {
  SilentPeer peer;
  ServerProcess server(
      {{"TURSO_DATABASE_URL", peer.url()}, {"TURSO_AUTH_TOKEN", "abc\r\nX-Injected: yes"}});
  server.start();
  const auto r = post_setup(server, "turso");
  EXPECT_EQ(r.status, 400) << r.body;
  const auto body = json::parse(r.body, nullptr, false);
  EXPECT_EQ(body.value("error", ""), kConfigurationIncomplete) << r.body;
  EXPECT_NE(body.value("details", "").find("TURSO_AUTH_TOKEN"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("Injected"), std::string::npos) << r.body;
  EXPECT_EQ(peer.accepted(), 0u) << "the token was sent";
  EXPECT_EQ(status_of(server), ds::test::kStatusBeforeSetup);
  EXPECT_EQ(server.stop(), 0);

  // At start (DB_TYPE): a log line naming the variable, never the token; nothing sent.
  server.env()["DB_TYPE"] = "turso";
  server.start();
  ASSERT_TRUE(server.wait_for_log("control character")) << server.log();
  EXPECT_EQ(server.log().find("Injected"), std::string::npos) << server.log();
  EXPECT_EQ(status_of(server), R"({"configured":true,"initialized":false,"dialect":"turso"})");
  EXPECT_EQ(peer.accepted(), 0u);
  EXPECT_EQ(server.stop(), 0);
}

TEST(BootFaults, SqlitePathsThatDoNotSurviveARestartAre400) {
  for (const char* path : {":memory:", "file::memory:", "persistent_data"}) {
    ServerProcess server(ServerProcess::Env{{"SQLITE_DB_PATH", path}});
    fs::create_directories(server.dir() / "persistent_data");
    server.start();
    const auto r = post_setup(server, "sqlite");
    EXPECT_EQ(r.status, 400) << path << ": " << r.body;
    const auto body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(body.value("error", ""), kConfigurationIncomplete) << r.body;
    EXPECT_NE(body.value("details", "").find("Set SQLITE_DB_PATH"), std::string::npos) << r.body;
    EXPECT_FALSE(fs::exists(server.selection_file())) << path;
    EXPECT_EQ(status_of(server), ds::test::kStatusBeforeSetup);
    EXPECT_EQ(server.stop(), 0);
  }
}

// --- item 6: the selection file and the SQLite file ------------------------------------------

// A dangling symlink (a volume not mounted yet) or a folder at the selection's path is an
// invalid selection: reported, and setup refuses to replace it.
TEST(BootFaults, ADanglingSymlinkOrFolderAtTheSelectionPathIsNeverReplaced) {
  for (const bool symlink : {true, false}) {
    ServerProcess server;
    fs::create_directories(server.dir() / "persistent_data");
    if (symlink) {
      fs::create_symlink(server.dir() / "not-mounted" / "db.selection.json",
                         server.selection_file());
    } else {
      fs::create_directory(server.selection_file());
    }
    server.start();
    EXPECT_EQ(status_of(server), kInvalidSelectionStatus);
    const auto r = post_setup(server, "sqlite");
    EXPECT_EQ(r.status, 409) << r.body;
    const auto body = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(body.value("message", "").starts_with("Database selection file is invalid: "))
        << r.body;
    EXPECT_TRUE(body.contains("database_type") && body["database_type"].is_null()) << r.body;
    EXPECT_EQ(fs::is_symlink(fs::symlink_status(server.selection_file())), symlink);
    EXPECT_EQ(fs::is_directory(fs::symlink_status(server.selection_file())), !symlink);
    EXPECT_FALSE(fs::exists(ds::test::default_sqlite_file(server.dir())));
    EXPECT_EQ(server.stop(), 0);
  }
}

// A zero-length (or foreign) file where a set-up database should be is an error with a
// message saying what to do, never a fresh empty database.
TEST(BootFaults, AZeroLengthOrForeignSqliteFileIsNotReinitialized) {
  for (const std::string& content :
       {std::string(), std::string("not a database at all, but long enough")}) {
    ServerProcess server;
    server.start();
    ASSERT_EQ(server.setup_database().status, 200);
    ASSERT_EQ(server.stop(), 0);
    const auto file = ds::test::default_sqlite_file(server.dir());
    for (const char* suffix : {"-wal", "-shm"}) fs::remove(file.string() + suffix);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
    server.start();
    EXPECT_EQ(status_of(server), kSqliteNotInitialized);
    EXPECT_TRUE(server.wait_for_log("restore it from a backup")) << server.log();
    EXPECT_EQ(fs::file_size(file), content.size()) << "the file was rewritten";
    EXPECT_EQ(server.stop(), 0);
    EXPECT_EQ(fs::file_size(file), content.size());
  }
}

// --- item 9: filesystem errors at start -------------------------------------------------------

TEST(BootFaults, ALoopingDatabaseFolderStartsDegradedNamingThePath) {
  ServerProcess server({{"DB_TYPE", "sqlite"}, {"SQLITE_DB_PATH", "loop/deploystack.db"}});
  fs::create_symlink("loop", server.dir() / "loop");
  server.start();  // before: "unexpected error: filesystem error ... Too many levels of symbolic
                   // links"
  EXPECT_EQ(status_of(server), kSqliteNotInitialized);
  EXPECT_TRUE(server.wait_for_log("cannot be checked")) << server.log();
  EXPECT_NE(server.log().find("loop/deploystack.db"), std::string::npos) << server.log();
  EXPECT_EQ(server.log().find("unexpected error"), std::string::npos) << server.log();
  EXPECT_EQ(server.stop(), 0);
}

TEST(BootFaults, ALoopingPluginEntryIsSkippedWhenLenientAndRefusedClearlyWhenStrict) {
  ServerProcess server({{"PLUGINS_PATH", "plugins"}, {"PLUGINS_STRICT", "0"}});
  fs::create_directories(server.dir() / "plugins");
  fs::create_symlink("looping", server.dir() / "plugins" / "looping");
  server.start();
  EXPECT_TRUE(server.wait_for_log("starting without it (PLUGINS_STRICT=0)")) << server.log();
  EXPECT_NE(server.log().find("plugins/looping"), std::string::npos) << server.log();
  EXPECT_EQ(server.request("GET", "/api/plugins").status, 200);
  EXPECT_EQ(server.stop(), 0);

  server.env()["PLUGINS_STRICT"] = "1";
  EXPECT_THROW(server.start(), std::runtime_error);
  const auto log = server.log();
  EXPECT_NE(log.find("plugin entry"), std::string::npos) << log;
  EXPECT_NE(log.find("PLUGINS_STRICT=0"), std::string::npos) << log;
  EXPECT_EQ(log.find("unexpected error"), std::string::npos) << log;
}

// item 10: nothing under PLUGINS_PATH is skipped without a line saying why.
TEST(BootFaults, EverySkippedPluginEntryIsLogged) {
  {
    ServerProcess server(ServerProcess::Env{{"PLUGINS_PATH", "no-such-folder"}});
    server.start();
    EXPECT_TRUE(server.wait_for_log("PLUGINS_PATH no-such-folder does not exist")) << server.log();
    EXPECT_EQ(server.stop(), 0);
  }
  ServerProcess server({{"PLUGINS_PATH", "plugins"}, {"PLUGINS_STRICT", "0"}});
  const auto plugins = server.dir() / "plugins";
  fs::create_directories(plugins / "empty");
  fs::create_directories(plugins / "folder-named-so" / "lib.so");
  fs::create_directories(plugins / "dangling-so");
  fs::create_symlink("missing.so", plugins / "dangling-so" / "lib.so");
  fs::create_symlink("missing", plugins / "dangling");
  std::ofstream(plugins / "notes.txt") << "not a plugin";
  server.start();
  for (const char* needle :
       {"plugins/empty ignored: it holds no .so file",
        "plugins/folder-named-so/lib.so ignored: not a regular file",
        "plugins/dangling-so/lib.so ignored: a symbolic link",
        "plugins/dangling ignored: a symbolic link", "plugins/notes.txt ignored: not a folder"}) {
    EXPECT_EQ(server.log_count(needle), 1) << needle << "\n" << server.log();
  }
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
