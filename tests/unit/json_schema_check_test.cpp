// The schema check the OpenAPI tests compare live answers with: it must be able to fail.
#include "support/json_schema_check.hpp"

#include <gtest/gtest.h>

namespace ds::test {
namespace {

using nlohmann::json;

const json kDocument = json::parse(R"({"components":{"schemas":{"E":{"type":"object",
  "required":["error"],"properties":{"error":{"type":"string"}}}}}})");

std::size_t problems(const json& value, const char* schema) {
  return schema_problems(value, json::parse(schema), kDocument).size();
}

TEST(OpenApiSchemaCheck, AcceptsWhatConformsAndNamesWhatDoesNot) {
  const char* project = R"({"type":"object","required":["id","n"],"additionalProperties":false,
    "properties":{"id":{"type":"string","minLength":1},"n":{"type":["integer","null"],
    "minimum":0,"maximum":5}}})";
  EXPECT_EQ(problems(json::parse(R"({"id":"a","n":null})"), project), 0u);
  EXPECT_EQ(problems(json::parse(R"({"id":"a","n":5})"), project), 0u);
  EXPECT_EQ(problems(json::parse(R"({"id":"","n":6})"), project), 2u);
  EXPECT_EQ(problems(json::parse(R"({"id":"a"})"), project), 1u);
  EXPECT_EQ(problems(json::parse(R"({"id":"a","n":1,"x":1})"), project), 1u);
  EXPECT_EQ(problems(json::parse(R"({"id":1,"n":1.5})"), project), 2u);

  EXPECT_EQ(problems(json::parse(R"({"error":"e"})"), R"({"$ref":"#/components/schemas/E"})"), 0u);
  EXPECT_EQ(problems(json::parse(R"({"message":"e"})"), R"({"$ref":"#/components/schemas/E"})"),
            1u);
  EXPECT_EQ(problems(json("x"), R"({"$ref":"#/components/schemas/Nope"})"), 1u);
  EXPECT_EQ(problems(json::parse("[1,2]"),
                     R"({"anyOf":[{"type":"string"},{"type":"array","items":{"const":1}}]})"),
            1u);
  EXPECT_EQ(problems(json("groups"), R"({"pattern":"^[a-z]+$","not":{"enum":["groups"]}})"), 1u);
  EXPECT_EQ(problems(json("ok"), R"({"pattern":"^[a-z]+$","not":{"enum":["groups"]}})"), 0u);
  EXPECT_EQ(problems(json("é"), R"({"maxLength":1})"), 0u);  // code points, not bytes
}

TEST(OpenApiSchemaCheck, AnUnknownKeywordIsAProblemNotAPass) {
  EXPECT_EQ(problems(json("x"), R"({"propertyNames":{"maxLength":1}})"), 1u);
}

}  // namespace
}  // namespace ds::test
