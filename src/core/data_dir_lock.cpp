#include "core/data_dir_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "core/error.hpp"

namespace ds {
namespace {

// "pid 1234 (serve)", from what the holder wrote, or a plain phrase when it is not there yet.
std::string holder_of(int fd) {
  char buf[128] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string text = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text.empty() ? std::string("another process") : text;
}

}  // namespace

DataDirLock DataDirLock::acquire(const std::filesystem::path& data_dir, std::string_view role) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    throw Error(Errc::io, fmt::format("cannot create {}: {}", data_dir.string(), ec.message()));
  }
  const auto path = data_dir / ".lock";
  // O_CLOEXEC: a child process must not keep the lock alive after the server is gone.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    throw Error(Errc::io, fmt::format("cannot open the lock file {}: {}", path.string(),
                                      std::strerror(errno)));
  }
  int rc = 0;
  while ((rc = ::flock(fd, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
  }
  if (rc != 0) {
    const int err = errno;
    const std::string holder = err == EWOULDBLOCK ? holder_of(fd) : std::string();
    ::close(fd);
    if (err == EWOULDBLOCK) {
      throw Error(Errc::conflict,
                  fmt::format("{} is in use by {}: the server (or another command) is running "
                              "on this data folder; stop it first, then run this again",
                              data_dir.string(), holder));
    }
    throw Error(Errc::io, fmt::format("cannot lock {}: {}", path.string(), std::strerror(err)));
  }
  // Best effort: the lock works without the note; only the refusal message would lack it.
  const std::string note = fmt::format("pid {} ({})\n", ::getpid(), role);
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const ssize_t n = ::pwrite(fd, note.data(), note.size(), 0);
  }
  return DataDirLock(fd);
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the only descriptor releases the flock
}

}  // namespace ds
