// The encryption key and the data folder against the real binary: an interrupted rotation is
// finished or rolled back at start and never loses a key, a key that does not match the
// stored secrets is refused (503) instead of starting a second key, and the data folder lock
// keeps writing commands and a second server away from a live one.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <set>

#include "core/atomic_file.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "support/server_process.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

const std::string kToken = "admin-token-0123456789";
const Headers kAuth = {{"Authorization", "Bearer " + kToken}};

class KeySafety : public ::testing::Test {
 protected:
  // A set-up server (SQLite) with two secrets of ours, stopped.
  void prepare(ServerProcess::Env extra = {}) {
    ServerProcess::Env env{{"DEPLOYSTACK_ADMIN_TOKEN", kToken}};
    for (auto& [k, v] : extra) env[k] = v;
    server = std::make_unique<ServerProcess>(env);
    server->start();
    ASSERT_EQ(server->setup_database().status, 200);
    ASSERT_EQ(call("PUT", "/api/settings/smtp.password", R"({"value":"mail-pass"})").status, 200);
    ASSERT_EQ(call("POST", "/api/settings",
                   R"({"key":"k.enc","value":"v2","type":"string","encrypted":true})")
                  .status,
              201);
    ASSERT_EQ(server->stop(), 0);
  }
  HttpResponse call(std::string_view method, const std::string& target,
                    std::string_view body = {}) {
    return server->request(method, target, body, kAuth);
  }
  std::string revealed(const std::string& key) {
    const auto r = call("GET", "/api/settings/" + key + "?reveal=true");
    const auto j = json::parse(r.body, nullptr, false);
    if (r.status != 200 || !j.is_object())
      return "status " + std::to_string(r.status) + ": " + r.body;
    return j["data"].value("value", "?");
  }
  void expect_secrets_readable() {
    EXPECT_EQ(revealed("smtp.password"), "mail-pass") << server->log();
    EXPECT_EQ(revealed("k.enc"), "v2");
  }
  fs::path data() const { return server->dir() / "persistent_data"; }
  fs::path key_file() const { return data() / "encryption.key"; }
  // The contents of every key file in the folder (encryption.key*), whatever its name.
  std::set<std::string> key_contents() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(data())) {
      if (e.path().filename().string().starts_with("encryption.key"))
        out.insert(read_file(e.path()));
    }
    return out;
  }
  std::string cli_log() const {
    const auto p = server->dir() / "cli.log";
    return fs::exists(p) ? read_file(p) : "";
  }
  static json data_of(const HttpResponse& r) {
    const auto j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("data") ? j["data"] : json();
  }

  std::unique_ptr<ServerProcess> server;
};

// Issue 12 item 1: the state of a rotate-key killed after its commit, before the rename.
void make_committed_but_not_renamed(ServerProcess& server, const fs::path& key_file) {
  const std::string old_key = read_file(key_file);
  const auto r = server.run_cli({"settings", "rotate-key"});
  ASSERT_EQ(r.status, 0) << r.out;
  // Undo the file steps only: the database stays under the new key.
  fs::rename(key_file, key_file.string() + ".new");
  write_file_atomically(key_file, old_key, 0600);
  for (const auto& e : fs::directory_iterator(key_file.parent_path())) {
    if (e.path().filename().string().starts_with("encryption.key.retired-")) fs::remove(e.path());
  }
}

TEST_F(KeySafety, RestartFinishesARotationKilledAfterItsCommit) {
  prepare();
  make_committed_but_not_renamed(*server, key_file());
  const std::string new_key = read_file(key_file().string() + ".new");
  const auto before = key_contents();
  server->start();
  expect_secrets_readable();
  EXPECT_EQ(read_file(key_file()), new_key);
  EXPECT_FALSE(fs::exists(key_file().string() + ".new"));
  EXPECT_EQ(key_contents(), before) << "a key file was lost";
  EXPECT_TRUE(server->wait_for_log("finished an interrupted key rotation"));
}

TEST_F(KeySafety, RotateKeyOverAPendingKeyResolvesItAndRotatesNothingMore) {
  prepare();
  make_committed_but_not_renamed(*server, key_file());
  const std::string new_key = read_file(key_file().string() + ".new");
  const auto before = key_contents();
  const auto r = server->run_cli({"settings", "rotate-key"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(cli_log().find("run rotate-key again"), std::string::npos) << cli_log();
  EXPECT_EQ(read_file(key_file()), new_key);
  EXPECT_EQ(key_contents(), before) << "a key file was lost";
  server->start();
  expect_secrets_readable();
  ASSERT_EQ(server->stop(), 0);
  // Resolved: the next rotation runs.
  EXPECT_EQ(server->run_cli({"settings", "rotate-key"}).status, 0) << cli_log();
  server->start();
  expect_secrets_readable();
}

TEST_F(KeySafety, PendingKeyThatNeverCommittedIsSetAsideNotDeleted) {
  prepare();
  const std::string unused = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";
  write_file_atomically(key_file().string() + ".new", unused, 0600);
  server->start();
  expect_secrets_readable();
  EXPECT_FALSE(fs::exists(key_file().string() + ".new"));
  EXPECT_TRUE(key_contents().contains(unused)) << "the pending key was destroyed";
  EXPECT_TRUE(server->wait_for_log("rolled back an interrupted key rotation"));
}

// Issue 12 item 5.
TEST_F(KeySafety, ChangedSecretIsRefusedAndNothingIsWrittenUnderIt) {
  prepare({{"DEPLOYSTACK_ENCRYPTION_SECRET", "the-first-secret"}});
  const auto db = [&] {
    return db::open_sqlite(default_sqlite_file(server->dir()), db::OpenMode::must_exist);
  };
  const auto stored = [&] {
    std::string out;
    const auto r =
        db()->execute("SELECT key, value FROM globalSettings WHERE is_encrypted = 1 ORDER BY key");
    for (const auto& c : r.cells) out += std::get<std::string>(c) + "\n";
    return out;
  };
  const auto before = stored();
  server->env()["DEPLOYSTACK_ENCRYPTION_SECRET"] = "a-different-secret";
  server->start();
  EXPECT_TRUE(server->wait_for_log("decrypts none of the"));
  const auto r = call("GET", "/api/settings/smtp.password?reveal=true");
  EXPECT_EQ(r.status, 503);
  const auto j = json::parse(r.body);
  EXPECT_EQ(j["error"], "Encrypted settings unavailable");
  EXPECT_NE(j["details"].get<std::string>().find("does not match"), std::string::npos) << r.body;
  EXPECT_EQ(call("PUT", "/api/settings/smtp.password", R"({"value":"under-the-wrong-key"})").status,
            503);
  EXPECT_EQ(call("POST", "/api/settings",
                 R"({"key":"k.new","value":"x","type":"string","encrypted":true})")
                .status,
            503);
  EXPECT_EQ(data_of(call("GET", "/api/settings/health"))["encryption_working"], false);
  ASSERT_EQ(server->stop(), 0);
  EXPECT_EQ(stored(), before) << "something was encrypted under the second key";
  server->env()["DEPLOYSTACK_ENCRYPTION_SECRET"] = "the-first-secret";
  server->start();
  expect_secrets_readable();
}

// Issue 12 item 10: rotate-key (and db up) next to a live server.
TEST_F(KeySafety, WritingCommandsRefuseNextToARunningServer) {
  prepare();
  server->start();
  const auto before = key_contents();
  const auto r = server->run_cli({"settings", "rotate-key"});
  EXPECT_EQ(r.status, 1);
  const std::string pid = std::to_string(server->process()->pid());
  EXPECT_NE(cli_log().find("in use by pid " + pid + " (serve)"), std::string::npos) << cli_log();
  EXPECT_NE(cli_log().find("stop it first"), std::string::npos) << cli_log();
  EXPECT_EQ(key_contents(), before);
  EXPECT_EQ(server->run_cli({"db", "up"}).status, 1);
  EXPECT_EQ(server->run_cli({"db", "status"}).status, 0) << "read-only commands still run";
  expect_secrets_readable();
}

TEST_F(KeySafety, SecondServerOnTheSameDataFolderRefusesToStart) {
  prepare();
  server->start();
  const auto r = server->run_cli({"serve"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out.find("listening"), std::string::npos);
  EXPECT_NE(cli_log().find("(serve)"), std::string::npos) << cli_log();
  expect_secrets_readable();
}

TEST_F(KeySafety, KeyFileReadableByOthersIsWarnedAbout) {
  prepare();
  ASSERT_EQ(::chmod(key_file().c_str(), 0644), 0);
  server->start();
  EXPECT_TRUE(
      server->wait_for_log("chmod 600 " + key_file().lexically_relative(server->dir()).string()))
      << server->log();
  expect_secrets_readable();
}

}  // namespace
}  // namespace ds::test
