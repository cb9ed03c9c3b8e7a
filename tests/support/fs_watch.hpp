#pragma once
// Waiting for something to happen on disk (a log line, a file appearing) without sleeping:
// inotify wakes the test at each change of the watched folder or file.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace ds::test {

class FsWatch {
 public:
  struct Event {
    std::uint32_t mask;  // IN_CREATE, IN_CLOSE_WRITE, IN_MOVED_TO ...
    std::string name;    // the entry inside a watched folder ("" for a watched file)
  };

  // Watches `path` (a file or a folder, which must exist) for every kind of change.
  explicit FsWatch(const std::filesystem::path& path);
  FsWatch(const FsWatch&) = delete;
  FsWatch& operator=(const FsWatch&) = delete;
  ~FsWatch();

  // The next change, or nullopt after `timeout`.
  std::optional<Event> next(std::chrono::milliseconds timeout);
  // Checks `condition` now and after every change until it holds (true) or `timeout` passes.
  bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string pending_;  // events read but not yet returned
};

}  // namespace ds::test
