#pragma once
// The advisory lock on the data folder (persistent_data/): `serve` holds it for its whole
// life and every command that writes the database or the keys takes it, so such a command
// never runs beside a live server and two servers never share one data folder.
// flock(2) on <data_dir>/.lock: the kernel drops it when the process ends, kill -9 included,
// so a stale lock never needs cleaning up. The file holds the holder's pid and role, for the
// refusal message; it is never removed (removing a lock file races with the next holder).
#include <filesystem>
#include <string_view>

namespace ds {

class DataDirLock {
 public:
  // Takes the lock for `role` ("serve", "settings rotate-key" ...) without waiting; creates
  // the folder when missing. Throws ds::Error(conflict) naming the holder's pid when another
  // process has it, ds::Error(io) when the lock file cannot be created or locked.
  static DataDirLock acquire(const std::filesystem::path& data_dir, std::string_view role);

  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&&) = delete;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();  // releases the lock

 private:
  explicit DataDirLock(int fd) noexcept : fd_(fd) {}
  int fd_;
};

}  // namespace ds
