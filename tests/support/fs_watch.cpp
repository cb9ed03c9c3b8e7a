#include "support/fs_watch.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ds::test {

FsWatch::FsWatch(const std::filesystem::path& path) {
  fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd_ < 0) throw std::runtime_error("inotify_init1 failed");
  if (::inotify_add_watch(fd_, path.c_str(), IN_ALL_EVENTS) < 0) {
    ::close(fd_);
    throw std::runtime_error("cannot watch " + path.string() + ": " + std::strerror(errno));
  }
}

FsWatch::~FsWatch() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<FsWatch::Event> FsWatch::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pending_.size() < sizeof(inotify_event)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return std::nullopt;
    pollfd pfd{fd_, POLLIN, 0};
    const int rc = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return std::nullopt;
    alignas(inotify_event) char buf[8192];
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n > 0) pending_.append(buf, static_cast<std::size_t>(n));
  }
  inotify_event header;
  std::memcpy(&header, pending_.data(), sizeof header);
  Event event{header.mask, {}};
  if (header.len > 0) event.name = std::string(pending_.data() + sizeof header, header.len).c_str();
  pending_.erase(0, sizeof header + header.len);
  return event;
}

bool FsWatch::wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    next(left);
  }
}

}  // namespace ds::test
