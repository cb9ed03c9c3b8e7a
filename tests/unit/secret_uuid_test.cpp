#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/secret.hpp"
#include "core/uuid.hpp"

namespace ds {
namespace {

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("token-123", "token-123"));
  EXPECT_FALSE(constant_time_equal("token-123", "token-124"));
  EXPECT_FALSE(constant_time_equal("Xoken-123", "token-123"));
  EXPECT_FALSE(constant_time_equal("token", "token-123"));
  EXPECT_FALSE(constant_time_equal("token-123", "token"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_FALSE(constant_time_equal("a", ""));
  EXPECT_TRUE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

TEST(Secret, FormatsAsStars) {
  const Secret s("hunter2");
  EXPECT_EQ(fmt::format("{}", s), "***");
  EXPECT_EQ(s.reveal(), "hunter2");
}

TEST(Uuid, IsVersion4InCanonicalLowercaseForm) {
  const std::regex format("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = uuid_v4();
    ASSERT_TRUE(std::regex_match(id, format)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace ds
