#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "settings/setting_value.hpp"

namespace ds::settings {
namespace {

using nlohmann::json;

TEST(SettingValue, ValidatesStoredText) {
  EXPECT_TRUE(is_valid_text(SettingType::string, ""));
  EXPECT_TRUE(is_valid_text(SettingType::number, "587"));
  EXPECT_TRUE(is_valid_text(SettingType::number, "-1.5"));
  EXPECT_FALSE(is_valid_text(SettingType::number, ""));
  EXPECT_FALSE(is_valid_text(SettingType::number, "12abc"));
  EXPECT_FALSE(is_valid_text(SettingType::number, "inf"));
  EXPECT_TRUE(is_valid_text(SettingType::boolean, "false"));
  EXPECT_FALSE(is_valid_text(SettingType::boolean, "1"));
  EXPECT_FALSE(is_valid_text(SettingType::boolean, "TRUE"));
}

TEST(SettingValue, JsonMustMatchType) {
  EXPECT_EQ(text_from_json(SettingType::string, json("x")), "x");
  EXPECT_FALSE(text_from_json(SettingType::string, json(1)));
  EXPECT_EQ(text_from_json(SettingType::number, json(587)), "587");
  EXPECT_EQ(text_from_json(SettingType::number, json(-3)), "-3");
  EXPECT_EQ(text_from_json(SettingType::number, json(1.25)), "1.25");
  EXPECT_FALSE(text_from_json(SettingType::number, json("587")));
  EXPECT_EQ(text_from_json(SettingType::boolean, json(true)), "true");
  EXPECT_FALSE(text_from_json(SettingType::boolean, json("true")));
  EXPECT_FALSE(text_from_json(SettingType::boolean, json(nullptr)));
}

TEST(SettingValue, TextBecomesTypedJson) {
  EXPECT_EQ(json_from_text(SettingType::number, "587"), json(587));
  EXPECT_EQ(json_from_text(SettingType::number, "1.25"), json(1.25));
  EXPECT_EQ(json_from_text(SettingType::boolean, "true"), json(true));
  EXPECT_EQ(json_from_text(SettingType::string, "true"), json("true"));
  // A hand-edited invalid row is shown as text instead of failing the response.
  EXPECT_EQ(json_from_text(SettingType::number, "abc"), json("abc"));
}

}  // namespace
}  // namespace ds::settings
