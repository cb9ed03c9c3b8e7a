#include "core/time.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace ds {
namespace {

TEST(Time, FormatsLikeJavaScriptToIsoString) {
  const TimePoint t{std::chrono::milliseconds(1735842135007)};
  EXPECT_EQ(to_iso8601(t), "2025-01-02T18:22:15.007Z");
}

TEST(Time, FormatsEveryFieldWithItsWidth) {
  using std::chrono::milliseconds;
  EXPECT_EQ(to_iso8601(TimePoint{milliseconds(0)}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(to_iso8601(TimePoint{milliseconds(-1)}), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(to_iso8601(TimePoint{milliseconds(253402300799999)}), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(to_iso8601(TimePoint{milliseconds(-62167219200000)}), "0000-01-01T00:00:00.000Z");
  // Past year 9999 the year gets more digits (JavaScript writes +010000; we write 10000).
  EXPECT_EQ(to_iso8601(TimePoint{milliseconds(253402300800000)}), "10000-01-01T00:00:00.000Z");
  std::string out = "x";
  append_iso8601(out, TimePoint{milliseconds(1735842135007)});
  EXPECT_EQ(out, "x2025-01-02T18:22:15.007Z");
}

TEST(Time, EveryDayOfFourCenturiesMatchesTheStandardCalendar) {
  using namespace std::chrono;
  // Integer date arithmetic in the formatter, checked against <chrono> day by day (leap
  // years, century rules, before 1970) and at a time of day that uses every field.
  for (sys_days d = sys_days{year{1800} / 1 / 1}; d <= sys_days{year{2200} / 12 / 31};
       d += days{1}) {
    const year_month_day ymd{d};
    const auto expected =
        fmt::format("{:04}-{:02}-{:02}T23:59:58.987Z", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    const TimePoint t =
        TimePoint{d.time_since_epoch()} + hours(23) + minutes(59) + seconds(58) + milliseconds(987);
    ASSERT_EQ(to_iso8601(t), expected);
  }
}

TEST(Time, MidnightsBeforeTheEpochAndTheWholeInt64Range) {
  using std::chrono::milliseconds;
  EXPECT_EQ(to_iso8601(TimePoint{milliseconds(-86'400'000)}), "1969-12-31T00:00:00.000Z");
  EXPECT_EQ(to_iso8601(TimePoint{milliseconds(-86'400'001)}), "1969-12-30T23:59:59.999Z");
  // No overflow at the ends of the range (UBSan runs these): a sign and extra year digits.
  const auto lowest = to_iso8601(TimePoint{milliseconds(std::numeric_limits<std::int64_t>::min())});
  const auto highest = to_iso8601(TimePoint{milliseconds(std::numeric_limits<std::int64_t>::max())});
  EXPECT_EQ(lowest.front(), '-');
  EXPECT_EQ(lowest.back(), 'Z');
  EXPECT_EQ(highest.substr(highest.size() - 5), ".807Z");
}

TEST(Time, ParsesWhatItWrites) {
  const TimePoint t{std::chrono::milliseconds(1735842135007)};
  EXPECT_EQ(parse_iso8601(to_iso8601(t)), t);
}

TEST(Time, RejectsOtherFormats) {
  EXPECT_FALSE(parse_iso8601("2025-01-02 18:22:15"));
  EXPECT_FALSE(parse_iso8601("2025-02-30T18:22:15.000Z"));
  EXPECT_FALSE(parse_iso8601("2025-01-02T24:22:15.000Z"));
  EXPECT_FALSE(parse_iso8601(""));
}

}  // namespace
}  // namespace ds
