#include "core/time.hpp"

#include <gtest/gtest.h>

namespace ds {
namespace {

TEST(Time, FormatsLikeJavaScriptToIsoString) {
  const TimePoint t{std::chrono::milliseconds(1735842135007)};
  EXPECT_EQ(to_iso8601(t), "2025-01-02T18:22:15.007Z");
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
