#include "core/time.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <iterator>

namespace ds {

TimePoint now_ms() noexcept { return std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now()); }

std::chrono::sys_seconds now_seconds() noexcept {
  return std::chrono::floor<std::chrono::seconds>(now_ms());
}

namespace {

// "00" "01" ... "99": two digits per lookup (this formatter runs twice per row of a page).
constexpr auto kTwoDigits = [] {
  std::array<char, 200> digits{};
  for (unsigned i = 0; i < 100; ++i) {
    digits[2 * i] = static_cast<char>('0' + i / 10);
    digits[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return digits;
}();

void put2(char* at, unsigned value) noexcept {
  std::memcpy(at, &kTwoDigits[2 * value], 2);
}

struct CivilDate {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Days since 1970-01-01 to the proleptic Gregorian date, with integer arithmetic only
// (Howard Hinnant's civil_from_days: 400-year eras, years starting in March).
constexpr CivilDate civil_from_days(std::int64_t days) noexcept {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                    // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;  // [0, 11], March first
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

}  // namespace

void append_iso8601(std::string& out, TimePoint t) {
  constexpr std::int64_t kMsPerDay = 86'400'000;
  const std::int64_t ms = t.time_since_epoch().count();
  // Floor division without overflow anywhere in the int64 range.
  std::int64_t days = ms / kMsPerDay;
  std::int64_t rest = ms % kMsPerDay;
  if (rest < 0) {
    --days;
    rest += kMsPerDay;
  }
  const auto in_day = static_cast<unsigned>(rest);
  const CivilDate date = civil_from_days(days);
  if (date.year < 0 || date.year > 9999) {  // rare: let fmt write the sign and the extra digits
    fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", date.year,
                   date.month, date.day, in_day / 3'600'000, in_day / 60'000 % 60,
                   in_day / 1000 % 60, in_day % 1000);
    return;
  }
  const auto year = static_cast<unsigned>(date.year);
  char text[] = "0000-00-00T00:00:00.000Z";
  put2(text, year / 100);
  put2(text + 2, year % 100);
  put2(text + 5, date.month);
  put2(text + 8, date.day);
  put2(text + 11, in_day / 3'600'000);
  put2(text + 14, in_day / 60'000 % 60);
  put2(text + 17, in_day / 1000 % 60);
  text[20] = static_cast<char>('0' + in_day % 1000 / 100);
  put2(text + 21, in_day % 100);
  out.append(text, sizeof text - 1);
}

std::string to_iso8601(TimePoint t) {
  std::string s;
  s.reserve(24);
  append_iso8601(s, t);
  return s;
}

std::optional<TimePoint> parse_iso8601(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (s.size() != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != '.' || s[23] != 'Z') {
    return std::nullopt;
  }
  auto num = [&](std::size_t pos, std::size_t len, int& out) {
    const char* first = s.data() + pos;
    auto [ptr, ec] = std::from_chars(first, first + len, out);
    return ec == std::errc{} && ptr == first + len;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) ||
      !num(17, 2, sec) || !num(20, 3, ms)) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  return TimePoint{sys_days{ymd}.time_since_epoch() + hours{h} + minutes{mi} + seconds{sec} +
                   milliseconds{ms}};
}

}  // namespace ds
