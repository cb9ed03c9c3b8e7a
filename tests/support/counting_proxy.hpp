#pragma once
// A loopback HTTP proxy in front of another local server that counts the requests passing
// through: how tests prove round-trip budgets ("setup on Turso takes at most 4 requests")
// from the outside, whatever the client thinks it sent.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/fake_http_server.hpp"

namespace ds::test {

class CountingProxy {
 public:
  // Forwards every request to http://127.0.0.1:`upstream_port` (same method, target, body and
  // content type) and relays the answer.
  explicit CountingProxy(std::uint16_t upstream_port);

  std::uint16_t port() const { return server_->port(); }
  std::string url() const { return server_->url(); }
  // Every request received so far, in order.
  std::vector<FakeHttpServer::Request> requests() const { return server_->requests(); }
  std::size_t count() const { return requests().size(); }

 private:
  std::unique_ptr<FakeHttpServer> server_;
};

}  // namespace ds::test
