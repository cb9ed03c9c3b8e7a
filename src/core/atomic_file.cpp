#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <utility>

#include "core/error.hpp"

namespace ds {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what) {
  throw_errno(errno, fmt::format("{} {}", what, path.string()));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

void write_file_atomically(const std::filesystem::path& target, std::string_view content,
                           mode_t mode) {
  const auto dir = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(Errc::io, fmt::format("cannot create {}: {}", dir.string(), ec.message()));

  std::string tmp = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  Fd fd(::mkstemp(tmp.data()));
  if (fd.get() < 0) fail(tmp, "cannot create");
  bool renamed = false;
  try {
    if (::fchmod(fd.get(), mode) != 0) fail(tmp, "cannot chmod");
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail(tmp, "cannot write");
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) fail(tmp, "cannot fsync");
    if (::close(fd.release()) != 0) fail(tmp, "cannot close");
    if (::rename(tmp.c_str(), target.c_str()) != 0) fail(target, "cannot rename onto");
    renamed = true;
    Fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY));
    if (dirfd.get() < 0 || ::fsync(dirfd.get()) != 0) fail(dir, "cannot fsync folder");
  } catch (...) {
    if (!renamed) ::unlink(tmp.c_str());
    throw;
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot read");
  std::ostringstream buf;
  buf << in.rdbuf();
  return std::move(buf).str();
}

}  // namespace ds
