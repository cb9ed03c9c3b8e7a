#pragma once
// A TCP peer on a loopback port that accepts connections and never reads or answers: a hung
// server or a silent proxy. Counts the connections it accepted.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ds::test {

class SilentPeer {
 public:
  SilentPeer();  // throws std::runtime_error when it cannot listen
  SilentPeer(const SilentPeer&) = delete;
  SilentPeer& operator=(const SilentPeer&) = delete;
  ~SilentPeer();

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::size_t accepted();
  // Waits (on the accept, not a sleep) until `n` connections came; false on timeout.
  bool wait_accepted(std::size_t n, std::chrono::seconds timeout = std::chrono::seconds(20));

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable accepted_;
  std::vector<int> held_;
  std::thread thread_;
};

}  // namespace ds::test
