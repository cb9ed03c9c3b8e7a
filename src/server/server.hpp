#pragma once
// The HTTP/1.1 server: keep-alive, I/O threads sized to the cores, a worker pool for handlers
// that block, a body limit, a connection cap, and a graceful stop on SIGINT/SIGTERM/SIGHUP.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/cors.hpp"
#include "http/router.hpp"

namespace ds::http {

class Server {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 3000;         // 0: any free port (see listen())
    std::size_t io_threads = 0;        // 0: one per core
    std::size_t worker_threads = 0;    // 0: four per core, at least 8
    std::size_t body_limit = 1 << 20;  // bytes
    // Open connections at most; more wait in the listen backlog. 0: derived from the file
    // descriptor limit (see server/fd_limit.hpp).
    std::size_t max_connections = 0;
    // Asked before each Execution::reads_database route: true runs it on the I/O thread.
    // Unset: such routes run on the worker pool.
    std::function<bool()> reads_never_wait;
    // Which other origins (the web frontend) may call the API with credentials.
    CorsPolicy cors{};
  };

  Server(Options options, const Router& router);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds and listens. Returns the port actually bound. Throws ds::Error(io) on failure.
  std::uint16_t listen();

  // Serves until SIGINT/SIGTERM/SIGHUP or stop(): then stops accepting, lets in-flight
  // requests finish (up to a grace period), then raises ds::abandon_blocking_io() and returns.
  // A handler that still has not returned a few seconds later cannot be waited for: the
  // process then logs it and exits with status 1 (std::_Exit).
  void run();

  // Asks run() to return; safe from any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ds::http
