#pragma once
// The local libSQL-protocol server (tursodb from the pinned npm package `turso`, see
// shared/spec/hrana.md) for tests: one process per instance, its database in a folder the
// test owns, on a free loopback port, ready (it answered a real pipeline) when the
// constructor returns. Remember its limits: one client at a time, no streams, no auth.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "support/subprocess.hpp"

namespace ds::test {

class TursoServer {
 public:
  // Starts `tursodb <dir>/test.db --sync-server 127.0.0.1:<free port>`. Throws
  // std::runtime_error (with the server's stderr file named) when it does not become ready.
  explicit TursoServer(std::filesystem::path dir);
  TursoServer(const TursoServer&) = delete;
  TursoServer& operator=(const TursoServer&) = delete;
  ~TursoServer();

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& database_file() const { return db_file_; }

  // Stops the server (SIGKILL); start() brings it back on the same port and file.
  void stop();
  void start();
  bool running() const;

  // Where the pinned binary is; available() is false when tests/peers is not installed.
  static std::filesystem::path binary();
  static bool available();

 private:
  bool launch(std::uint16_t port);

  std::filesystem::path dir_;
  std::filesystem::path db_file_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Subprocess> process_;
};

// True when a `POST /v2/pipeline` with `SELECT 1` to 127.0.0.1:port gets an HTTP 200 within
// `timeout` (poll-based connect and read; a connection is never left idle).
bool turso_answers(std::uint16_t port, std::chrono::milliseconds timeout);

// A port that was free a moment ago (bound to port 0, then released).
std::uint16_t pick_free_port();

}  // namespace ds::test
