#include "support/silent_peer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace ds::test {

SilentPeer::SilentPeer() {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(fd_, 16) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("SilentPeer cannot listen on a loopback port");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] {
    for (;;) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;  // the listening socket was shut down
      std::lock_guard lock(mutex_);
      held_.push_back(c);
      accepted_.notify_all();
    }
  });
}

SilentPeer::~SilentPeer() {
  ::shutdown(fd_, SHUT_RDWR);
  thread_.join();
  ::close(fd_);
  for (int c : held_) ::close(c);
}

std::size_t SilentPeer::accepted() {
  std::lock_guard lock(mutex_);
  return held_.size();
}

bool SilentPeer::wait_accepted(std::size_t n, std::chrono::seconds timeout) {
  std::unique_lock lock(mutex_);
  return accepted_.wait_for(lock, timeout, [&] { return held_.size() >= n; });
}

}  // namespace ds::test
