#include "core/data_dir_lock.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "support/temp_dir.hpp"

namespace ds {
namespace {

// flock belongs to the open file, so a second acquire in the same process conflicts just as
// another process would.
TEST(DataDirLock, SecondHolderIsRefusedWithThePidOfTheFirst) {
  test::TempDir dir;
  const auto data = dir / "persistent_data";
  auto first = DataDirLock::acquire(data, "serve");
  try {
    DataDirLock::acquire(data, "settings rotate-key");
    FAIL() << "the second acquire succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::conflict);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("pid " + std::to_string(::getpid()) + " (serve)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("stop it first"), std::string::npos) << msg;
  }
}

TEST(DataDirLock, ReleasedWhenTheHolderGoesAway) {
  test::TempDir dir;
  { auto held = DataDirLock::acquire(dir / "d", "db up"); }
  EXPECT_NO_THROW(DataDirLock::acquire(dir / "d", "db up"));
}

TEST(DataDirLock, NotInheritedByChildProcesses) {
  test::TempDir dir;
  auto held = DataDirLock::acquire(dir / "d", "serve");
  const auto lock_file = std::filesystem::canonical(dir / "d/.lock");
  int found = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (std::filesystem::read_symlink(e.path(), ec) != lock_file) continue;
    ++found;
    const int fd = std::stoi(e.path().filename().string());
    EXPECT_TRUE(::fcntl(fd, F_GETFD) & FD_CLOEXEC);
  }
  EXPECT_EQ(found, 1);
}

}  // namespace
}  // namespace ds
