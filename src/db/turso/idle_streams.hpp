#pragma once
// Streams left open by finished cursor reads (`/v3/cursor` has no `close`), kept for the next
// reads to reuse: a read then opens no new stream on the server, and a server that gets reads
// all day holds about as many streams as there are concurrent readers instead of one per read
// in the last 10 s. A stream idle for longer than `max_idle` is dropped (sqld expires one after
// 10 s idle), so reusing one rarely finds it gone.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ds::db::turso {

class IdleStreams {
 public:
  struct Stream {
    std::string baton;
    std::string url;  // where its next request goes (it may have been given a base_url)
  };

  IdleStreams(std::size_t capacity, std::chrono::milliseconds max_idle)
      : capacity_(capacity), max_idle_(max_idle) {}

  // The most recently kept stream that is still fresh, or nullopt.
  std::optional<Stream> take();
  // Keeps `stream` for a later take(); past the capacity the oldest is dropped.
  void keep(Stream stream);

 private:
  using Clock = std::chrono::steady_clock;
  struct Kept {
    Stream stream;
    Clock::time_point since;
  };
  std::size_t capacity_;
  std::chrono::milliseconds max_idle_;
  std::mutex mutex_;
  std::vector<Kept> kept_;  // oldest first
};

}  // namespace ds::db::turso
