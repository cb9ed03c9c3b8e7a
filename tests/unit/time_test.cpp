#include "core/time.hpp"

#include <gtest/gtest.h>

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
