#include "core/ascii.hpp"

#include <gtest/gtest.h>

namespace ds {
namespace {

TEST(Ascii, IequalsIgnoresAsciiCaseOnly) {
  EXPECT_TRUE(iequals("globalSettings", "GLOBALSETTINGS"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("abc", "abcd"));
  EXPECT_FALSE(iequals("a_b", "a-b"));
  // Only ASCII folds, as in SQLite identifiers: "É" and "é" stay different.
  EXPECT_FALSE(iequals("\xc3\x89", "\xc3\xa9"));
  static_assert(iequals("Chunked", "chunked"));
}

}  // namespace
}  // namespace ds
