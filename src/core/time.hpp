#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ds {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::milliseconds>;

TimePoint now_ms() noexcept;

// "2025-01-02T18:22:15.000Z", as JavaScript's Date.toISOString() writes it.
std::string to_iso8601(TimePoint t);
// The same text appended to `out` (JSON writers on hot paths: no temporary string).
void append_iso8601(std::string& out, TimePoint t);
// Parses exactly the format above; nullopt for anything else.
std::optional<TimePoint> parse_iso8601(std::string_view text);

}  // namespace ds
