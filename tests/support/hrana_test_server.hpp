#pragma once
// The suites' own spec-following Hrana-over-HTTP server (tests/support/hrana_server.py, see
// shared/spec/hrana.md) for tests: one python3 process per instance, its SQLite file in a
// folder the test owns, on a free loopback port, ready (it printed its listening line) when
// the constructor returns. Unlike tursodb it has real streams (one SQLite connection per
// baton, opened with stock defaults: foreign keys off), `close`, auth, true counts and
// sqld-like error codes; it serves /v2/pipeline, /v3/pipeline or both (with v3, the streaming
// /v3/cursor too).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "support/subprocess.hpp"

namespace ds::test {

class HranaTestServer {
 public:
  struct Options {
    std::string versions = "2,3";      // "2,3", "3" or "2": which pipelines it serves
    std::optional<std::string> token{};  // required as `Authorization: Bearer <token>` when set
    int stream_idle_seconds = 10;      // idle streams expire (rolled back) after this
    int unknown_baton_status = 400;    // 400 STREAM_EXPIRED (sqld) or 404 (newer servers)
  };

  // Starts `python3 hrana_server.py --db <dir>/test.db --port 0 ...`. Throws
  // std::runtime_error (naming the server's stderr file) when python3 or the script is missing
  // or it does not become ready: a failure, never a skip.
  explicit HranaTestServer(std::filesystem::path dir)
      : HranaTestServer(std::move(dir), Options{}) {}
  HranaTestServer(std::filesystem::path dir, Options options);
  HranaTestServer(const HranaTestServer&) = delete;
  HranaTestServer& operator=(const HranaTestServer&) = delete;
  ~HranaTestServer();

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& database_file() const { return db_file_; }
  const Options& options() const { return options_; }

  // Stops the server (SIGTERM, SIGKILL if it lingers); start() brings it back on the same
  // port and file. Its streams do not survive.
  void stop();
  void start();
  bool running() const { return process_ != nullptr; }

  static std::filesystem::path python();
  static std::filesystem::path script();

 private:
  bool launch(std::uint16_t port);

  std::filesystem::path dir_;
  std::filesystem::path db_file_;
  Options options_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Subprocess> process_;
};

}  // namespace ds::test
