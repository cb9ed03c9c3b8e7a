// The one query-component decoder: form encoding, and both policies for a bad escape.
#include "core/percent_decode.hpp"

#include <gtest/gtest.h>

namespace ds {
namespace {

TEST(PercentDecode, DecodesEscapesAndPlus) {
  EXPECT_EQ(percent_decode("a%20b+c%2Bd%41%e2%82%ac", BadEscape::reject), "a b c+dA\xe2\x82\xac");
  EXPECT_EQ(percent_decode("", BadEscape::reject), "");
  EXPECT_EQ(percent_decode("%00x", BadEscape::reject), std::string("\0x", 2));
}

TEST(PercentDecode, BadEscapesAreKeptOrRejected) {
  for (const char* bad : {"%", "%4", "%zz", "a%g1", "%%41"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(percent_decode(bad, BadEscape::reject), std::nullopt);
  }
  EXPECT_EQ(percent_decode("%", BadEscape::keep), "%");
  EXPECT_EQ(percent_decode("100%+sure%zz", BadEscape::keep), "100% sure%zz");
  EXPECT_EQ(percent_decode("%%41", BadEscape::keep), "%A");
}

}  // namespace
}  // namespace ds
