#include "core/shutdown.hpp"

#include <atomic>

namespace ds {
namespace {

std::atomic<bool> abandoned{false};
static_assert(std::atomic<bool>::is_always_lock_free, "raised from signal handlers");

}  // namespace

void abandon_blocking_io() noexcept { abandoned.store(true, std::memory_order_relaxed); }

bool blocking_io_abandoned() noexcept { return abandoned.load(std::memory_order_relaxed); }

}  // namespace ds
