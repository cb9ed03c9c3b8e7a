#include "db/turso/idle_streams.hpp"

#include <algorithm>

namespace ds::db::turso {

std::optional<IdleStreams::Stream> IdleStreams::take() {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  // Whatever is too old is gone on the server by now, or soon will be.
  const auto stale = std::find_if(kept_.begin(), kept_.end(),
                                  [&](const Kept& k) { return now - k.since < max_idle_; });
  kept_.erase(kept_.begin(), stale);
  if (kept_.empty()) return std::nullopt;
  Stream out = std::move(kept_.back().stream);
  kept_.pop_back();
  return out;
}

void IdleStreams::keep(Stream stream) {
  std::lock_guard lock(mutex_);
  if (capacity_ == 0) return;
  if (kept_.size() >= capacity_) kept_.erase(kept_.begin());
  kept_.push_back({std::move(stream), Clock::now()});
}

}  // namespace ds::db::turso
