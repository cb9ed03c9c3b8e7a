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

std::filesystem::path folder_of(const std::filesystem::path& target) {
  return target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
}

// mkstemp beside `target`: the name and the open descriptor.
std::pair<std::string, int> make_temp(const std::filesystem::path& target) {
  const auto dir = folder_of(target);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(Errc::io, fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  std::string tmp = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail(tmp, "cannot create");
  return {std::move(tmp), fd};
}

}  // namespace

void sync_folder(const std::filesystem::path& dir) {
  Fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY));
  if (dirfd.get() < 0 || ::fsync(dirfd.get()) != 0) fail(dir, "cannot fsync folder");
}

std::filesystem::path create_temp_beside(const std::filesystem::path& target) {
  auto [tmp, raw] = make_temp(target);
  Fd fd(raw);
  if (::close(fd.release()) != 0) {
    ::unlink(tmp.c_str());
    fail(tmp, "cannot close");
  }
  return tmp;
}

void commit_file(const std::filesystem::path& tmp, const std::filesystem::path& target) {
  {
    Fd fd(::open(tmp.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) fail(tmp, "cannot open");
    if (::fsync(fd.get()) != 0) fail(tmp, "cannot fsync");
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) fail(target, "cannot rename onto");
  sync_folder(folder_of(target));
}

void write_file_atomically(const std::filesystem::path& target, std::string_view content,
                           mode_t mode) {
  auto [tmp, raw] = make_temp(target);
  Fd fd(raw);
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
    sync_folder(folder_of(target));
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
