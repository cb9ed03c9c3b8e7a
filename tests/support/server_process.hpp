#pragma once
// The real `deploystack` binary for integration tests: started in its own folder with an
// exact environment (plus PORT=0, HOST=127.0.0.1), ready once it printed its listening line.
// Every run is checked when it ends (stop(), kill9(), a failed start() or the destructor): the
// test fails when the server exited with a status other than 0 (unless the test said it ends
// the run uncleanly) or when its log holds a sanitizer report. CLI runs are checked the same way.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/database_backend.hpp"
#include "support/http_client.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace ds::test {

class ServerProcess {
 public:
  using Env = std::map<std::string, std::string>;

  // Nothing runs until start(). `env` wins over the backend's variables.
  explicit ServerProcess(Env env = {}, std::shared_ptr<DatabaseBackend> backend = sqlite_backend());
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  // Stops a server that still runs with SIGTERM, as stop() does, and checks that run.
  ~ServerProcess();

  // Starts the binary and waits for its listening line; throws std::runtime_error (with the
  // log) when it exits or stays silent. A refusal to start is expected by whoever expects the
  // exception, so its exit status is not checked (its log is).
  void start();
  // SIGTERM, then waits; returns the exit code (128+signal when killed), nullopt on timeout
  // (the run is then checked when it ends later).
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // SIGKILL, then waits for the process to be gone: a deliberate unclean end. A server that
  // had already exited by itself is not excused.
  void kill9();
  // The current run is meant to end with a crash or a non-zero exit (a test of a refusal or of
  // a signal): its exit status is not required to be 0. Sanitizer reports still fail the test.
  void expect_unclean_exit() { unclean_exit_expected_ = true; }
  // stop() when running, then start() again in the same folder with the same environment.
  void restart();
  bool running();

  // POST /api/db/setup for this server's database type (and its setup token, if any).
  HttpResponse setup_database();
  // The backend's database type: what setup selects and what the status reports.
  std::string database_type() const { return backend_->type(); }

  std::uint16_t port() const { return port_; }
  std::string url() const;
  // A new client for this server (each has its own keep-alive connection).
  std::unique_ptr<HttpClient> client() const;
  // One request on a fresh connection.
  HttpResponse request(std::string_view method, std::string_view target, std::string_view body = {},
                       const Headers& headers = {}) const;

  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path selection_file() const { return dir() / "persistent_data" / "db.selection.json"; }
  std::filesystem::path log_file() const { return dir() / "server.log"; }
  std::string log() const;  // everything the server wrote to stderr (all runs)
  // How many log lines contain `needle`.
  int log_count(std::string_view needle) const;
  // Waits (on file changes, not sleeps) until the log holds `needle`.
  bool wait_for_log(std::string_view needle, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

  // The environment the server runs with (change it before restart()).
  Env& env() { return env_; }
  // Runs the binary with `args` in the server's folder and environment (e.g. {"db","status"});
  // its status is the test's to check, a sanitizer report in its stderr fails the test.
  RunResult run_cli(const std::vector<std::string>& args) const;
  // How run_cli() starts the binary (stderr to cli_log_file()), for a command the test ends
  // itself (kill -9 mid-run).
  Subprocess::Options cli_options(const std::vector<std::string>& args) const;
  std::filesystem::path cli_log_file() const { return dir() / "cli.log"; }
  Subprocess* process() { return process_.get(); }

 private:
  Env full_env() const;
  // Ends the check of the current run: exit status 0 unless an unclean end was expected, and no
  // sanitizer report in what this run logged. Runs once per run.
  void check_run(std::optional<int> status);

  TempDir dir_;
  Env env_;
  std::shared_ptr<DatabaseBackend> backend_;
  Env backend_env_;
  std::unique_ptr<Subprocess> process_;
  std::uint16_t port_ = 0;
  std::uintmax_t run_log_start_ = 0;  // where the current run's lines begin in log_file()
  bool unclean_exit_expected_ = false;
  bool run_checked_ = true;
};

}  // namespace ds::test
