// Crash trials for `deploystack settings rotate-key`: the command is killed (SIGKILL, through
// strace's syscall fault injection) right before its Nth rename, link, fsync, fdatasync, write
// or pwrite64, for every N it reaches, each time on a fresh copy of the same data folder. After
// every kill a restarted server must decrypt every secret, no key file may be gone, and no
// pending key may remain. The counts are printed for docs/RELIABILITY.md.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/atomic_file.hpp"
#include "support/server_process.hpp"

namespace ds::test {
namespace {

namespace fs = std::filesystem;

const std::string kToken = "admin-token-0123456789";
const Headers kAuth = {{"Authorization", "Bearer " + kToken}};
constexpr const char* kStrace = "/usr/bin/strace";

std::set<std::string> key_contents(const fs::path& data) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(data)) {
    if (e.path().filename().string().starts_with("encryption.key")) out.insert(read_file(e.path()));
  }
  return out;
}

// The environment of a run under strace: LeakSanitizer cannot stop the world of a process
// that is already being traced (it dies with "LeakSanitizer has encountered a fatal error"),
// so leak checking is off there; ASan and UBSan still watch the run.
std::map<std::string, std::string> traced_env(std::map<std::string, std::string> env) {
  const char* asan = std::getenv("ASAN_OPTIONS");
  env["ASAN_OPTIONS"] = std::string(asan != nullptr ? asan : "") + ":detect_leaks=0";
  return env;
}

TEST(RotateKeyCrashTrials, EveryKillPointRecoversWithEveryKey) {
  ASSERT_TRUE(fs::exists(kStrace)) << "strace is missing: run scripts/setup.sh";
  ServerProcess server({{"DEPLOYSTACK_ADMIN_TOKEN", kToken}});
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  const auto put = [&](const std::string& key, const std::string& value) {
    return server.request("PUT", "/api/settings/" + key, R"({"value":")" + value + R"("})", kAuth)
        .status;
  };
  ASSERT_EQ(put("smtp.password", "mail-pass"), 200);
  ASSERT_EQ(put("github.oauth.client_secret", "oauth-secret"), 200);
  ASSERT_EQ(server.stop(), 0);

  const fs::path data = server.dir() / "persistent_data";
  const fs::path original = server.dir() / "original_data";
  fs::copy(data, original, fs::copy_options::recursive);

  std::map<std::string, int> trials;
  std::map<std::string, int> finished, rolled_back;
  int total = 0;
  for (const std::string syscall : {"rename", "renameat", "renameat2", "link", "linkat", "fsync",
                                    "fdatasync", "write", "pwrite64"}) {
    for (int n = 1;; ++n) {
      ASSERT_LT(n, 1000) << syscall << ": the command never completed";
      SCOPED_TRACE(syscall + " #" + std::to_string(n));
      fs::remove_all(data);
      fs::copy(original, data, fs::copy_options::recursive);
      const auto server_log_before = server.log().size();

      Subprocess::Options options{
          .argv = {kStrace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=" + syscall, "-e",
                   "inject=" + syscall + ":signal=SIGKILL:when=" + std::to_string(n),
                   DS_BINARY_PATH, "settings", "rotate-key"},
          .env = traced_env(server.env()),
          .cwd = server.dir(),
          .stderr_file = server.dir() / "trial.log"};
      const auto run = run_command(std::move(options));
      ++trials[syscall];
      ++total;
      const bool completed = run.status == 0;
      ASSERT_TRUE(completed || run.status == 128 + 9)
          << run.status << " " << read_file(server.dir() / "trial.log");
      const auto after_kill = key_contents(data);

      server.start();
      const auto reveal = [&](const std::string& key) {
        const auto r = server.request("GET", "/api/settings/" + key + "?reveal=true", {}, kAuth);
        const auto j = nlohmann::json::parse(r.body, nullptr, false);
        return r.status == 200 && j.is_object() ? j["data"].value("value", "?") : r.body;
      };
      EXPECT_EQ(reveal("smtp.password"), "mail-pass") << server.log().substr(server_log_before);
      EXPECT_EQ(reveal("github.oauth.client_secret"), "oauth-secret");
      ASSERT_EQ(server.stop(), 0);
      const auto after_restart = key_contents(data);
      for (const auto& k : after_kill)
        EXPECT_TRUE(after_restart.contains(k)) << "a key file was lost";
      EXPECT_FALSE(fs::exists(data / "encryption.key.new")) << "a pending key remained";
      const auto log = server.log().substr(server_log_before);
      if (log.find("finished an interrupted key rotation") != std::string::npos)
        ++finished[syscall];
      if (log.find("rolled back an interrupted key rotation") != std::string::npos)
        ++rolled_back[syscall];
      if (completed || HasFailure()) break;
    }
  }
  std::cout << "rotate-key crash trials: " << total << " in all\n";
  for (const auto& [syscall, count] : trials) {
    std::cout << "  " << syscall << ": " << count << " trials (the last one ran to completion), "
              << finished[syscall] << " finished at restart, " << rolled_back[syscall]
              << " rolled back\n";
  }
  RecordProperty("trials", total);
}

// The --new-secret-env path has no key file to move: after a kill the database is wholly under
// the old secret or wholly under the new one, and a server started with the other one refuses
// secrets (503, "does not match") instead of running with the wrong key.
TEST(RotateKeyCrashTrials, NewSecretPathIsUnderOneKeyAfterEveryKill) {
  ASSERT_TRUE(fs::exists(kStrace)) << "strace is missing: run scripts/setup.sh";
  ServerProcess server(
      {{"DEPLOYSTACK_ADMIN_TOKEN", kToken}, {"DEPLOYSTACK_ENCRYPTION_SECRET", "old-secret"}});
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  ASSERT_EQ(server.request("PUT", "/api/settings/smtp.password", R"({"value":"mail-pass"})", kAuth)
                .status,
            200);
  ASSERT_EQ(server.stop(), 0);
  const fs::path data = server.dir() / "persistent_data";
  const fs::path original = server.dir() / "original_data";
  fs::copy(data, original, fs::copy_options::recursive);
  const auto reveal = [&] {
    return server.request("GET", "/api/settings/smtp.password?reveal=true", {}, kAuth);
  };

  int total = 0, committed = 0;
  for (const std::string syscall : {"fdatasync", "fsync", "pwrite64", "write"}) {
    for (int n = 1;; ++n) {
      ASSERT_LT(n, 1000) << syscall << ": the command never completed";
      SCOPED_TRACE(syscall + " #" + std::to_string(n));
      fs::remove_all(data);
      fs::copy(original, data, fs::copy_options::recursive);
      auto env = traced_env(server.env());
      env["DEPLOYSTACK_NEW_ENCRYPTION_SECRET"] = "new-secret";
      Subprocess::Options options{
          .argv = {kStrace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=" + syscall, "-e",
                   "inject=" + syscall + ":signal=SIGKILL:when=" + std::to_string(n),
                   DS_BINARY_PATH, "settings", "rotate-key"},
          .env = env,
          .cwd = server.dir(),
          .stderr_file = server.dir() / "trial.log"};
      const auto run = run_command(std::move(options));
      ++total;
      ASSERT_TRUE(run.status == 0 || run.status == 128 + 9) << run.status;

      server.env()["DEPLOYSTACK_ENCRYPTION_SECRET"] = "old-secret";
      server.start();
      const auto with_old = reveal();
      ASSERT_EQ(server.stop(), 0);
      server.env()["DEPLOYSTACK_ENCRYPTION_SECRET"] = "new-secret";
      server.start();
      const auto with_new = reveal();
      ASSERT_EQ(server.stop(), 0);
      server.env()["DEPLOYSTACK_ENCRYPTION_SECRET"] = "old-secret";
      // Exactly one secret reads the data; the other is refused, never used.
      const auto& good = with_old.status == 200 ? with_old : with_new;
      const auto& refused = with_old.status == 200 ? with_new : with_old;
      EXPECT_EQ(good.status, 200) << with_old.body << " / " << with_new.body;
      EXPECT_NE(good.body.find("mail-pass"), std::string::npos) << good.body;
      EXPECT_EQ(refused.status, 503) << refused.body;
      EXPECT_NE(refused.body.find("does not match"), std::string::npos) << refused.body;
      if (with_new.status == 200) ++committed;
      if (run.status == 0 || HasFailure()) break;
    }
  }
  std::cout << "rotate-key --new-secret-env crash trials: " << total << " in all, " << committed
            << " found committed\n";
  RecordProperty("trials", total);
}

}  // namespace
}  // namespace ds::test
