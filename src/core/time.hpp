#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ds {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::milliseconds>;

// The wall clock now: the one place that reads it. For durations and timeouts use
// std::chrono::steady_clock instead.
TimePoint now_ms() noexcept;
// now_ms() rounded down to whole seconds: what a `Timestamp` column (db/schema/column.hpp) and
// any other second-resolution instant holds.
std::chrono::sys_seconds now_seconds() noexcept;

// "2025-01-02T18:22:15.000Z", as JavaScript's Date.toISOString() writes it.
std::string to_iso8601(TimePoint t);
// The same text appended to `out` (JSON writers on hot paths: no temporary string).
void append_iso8601(std::string& out, TimePoint t);
// Parses exactly the format above; nullopt for anything else.
std::optional<TimePoint> parse_iso8601(std::string_view text);

}  // namespace ds
