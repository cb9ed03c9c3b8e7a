#pragma once
// A loopback HTTP proxy in front of another local server (tursodb, the Hrana test server):
// it counts the requests passing through, which is how tests prove round-trip budgets from the
// outside ("setup on Turso takes at most 4 requests"), and on demand injects a fault on the
// wire: a connection reset mid-response, a response lost after the server ran the request, a
// 5xx, a 429 with Retry-After, a server slower than any timeout, a stream expired mid-
// transaction, a server that rejects `close`. Faults come from the outside, so the driver is
// tested exactly as it runs against a real server.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "support/database_backend.hpp"
#include "support/fake_http_server.hpp"

namespace ds::test {

class FaultProxy {
 public:
  enum class Fault {
    none,           // pass the traffic
    reset,          // forward; relay the head and half the body, then a TCP reset
    lose_response,  // forward (the server runs it), then close without a byte of the answer
    status,         // answer `status` (forwarded first when `forward`)
    rate_limit,     // 429 with `Retry-After: <retry_after_s>`, not forwarded
    hang,           // forward, then never answer: a server slower than the client's timeout
    // A pipeline holding a `close` request is refused as a Hrana server without `close` does
    // (HTTP 400 "unknown request type"), not forwarded; others pass.
    reject_close,
    // A pipeline with a baton: the upstream first forgets every stream (rolling back their
    // transactions: what sqld does to an idle stream), then gets the request, which names a
    // stream it no longer knows. Needs the Hrana test server (`POST /_test/expire-streams`).
    expire_streams,
  };
  struct Plan {
    Fault fault = Fault::none;
    int status = 503;       // Fault::status
    bool forward = false;   // Fault::status: the upstream runs the request first
    int retry_after_s = 1;  // Fault::rate_limit
    int times = -1;         // how many requests get the fault (then it passes); -1: all
    std::string only_if_body_contains{};  // other requests pass (and do not count in `times`)
  };

  // Forwards every request to http://127.0.0.1:`upstream_port` (same method, target, body,
  // content type, Authorization and x-turso-encryption-key) and relays the answer.
  explicit FaultProxy(std::uint16_t upstream_port);

  // From now on, requests matching `plan` get its fault.
  void inject(Plan plan);
  // Back to passing every request.
  void pass() { inject({}); }
  // How many requests got a fault so far.
  int faults_injected() const;

  std::uint16_t port() const { return server_->port(); }
  std::string url() const { return server_->url(); }
  // "127.0.0.1:<port>": how the driver names this server in its errors.
  std::string host() const { return "127.0.0.1:" + std::to_string(port()); }
  // Every request received so far, in order.
  std::vector<FakeHttpServer::Request> requests() const { return server_->requests(); }
  std::size_t count() const { return requests().size(); }
  // Requests received so far whose body contains `needle`.
  std::size_t count(const std::string& needle) const;

 private:
  FakeHttpServer::Response handle(const FakeHttpServer::Request& r);

  std::uint16_t upstream_port_;
  mutable std::mutex mutex_;
  Plan plan_;
  int injected_ = 0;
  std::unique_ptr<FakeHttpServer> server_;
};

// The counting proxy of the round-trip tests is the fault proxy that never injects a fault.
using CountingProxy = FaultProxy;

// `inner` (a Turso backend) behind a FaultProxy: the server under test talks to the proxy,
// connect() talks to the database directly (to check what is stored, whatever the proxy does).
class ProxiedBackend final : public DatabaseBackend {
 public:
  explicit ProxiedBackend(std::shared_ptr<DatabaseBackend> inner) : inner_(std::move(inner)) {}
  std::string type() const override { return inner_->type(); }
  // Starts the inner server, then the proxy in front of it.
  std::map<std::string, std::string> server_env(const std::filesystem::path& server_dir) override;
  std::shared_ptr<db::Connection> connect(bool create = false) override {
    return inner_->connect(create);
  }
  std::vector<std::filesystem::path> files() const override { return inner_->files(); }
  TursoServer* turso_server() override { return inner_->turso_server(); }
  HranaTestServer* hrana_server() override { return inner_->hrana_server(); }

  // The proxy; exists once server_env() ran.
  FaultProxy& proxy() { return *proxy_; }

 private:
  std::shared_ptr<DatabaseBackend> inner_;
  std::unique_ptr<FaultProxy> proxy_;
};

}  // namespace ds::test
