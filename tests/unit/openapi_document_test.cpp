// The OpenAPI document as http/openapi.hpp renders it from a router: paths and parameters from
// the patterns, responses from each route's doc plus the errors of its kind, one Error schema.
#include <gtest/gtest.h>

#include "http/openapi.hpp"

namespace ds::http {
namespace {

Response ok(const Request&) {
  return Response::json(200, "{}");
}

const ApiInfo kInfo{.title = "t", .version = "1", .description = ""};
const nlohmann::json kErrorRef = {{"$ref", "#/components/schemas/Error"}};

nlohmann::ordered_json schema_at(const nlohmann::ordered_json& op, const std::string& status) {
  return op.at("responses").at(status).at("content").at("application/json").at("schema");
}

TEST(OpenApi, PatternParametersBecomeTemplatedPathsWithPathParameters) {
  Router router;
  router.add(Method::get, "/api/a/:x/b/:y", ok, Execution::blocking,
             {.summary = "two",
              .params = {{.name = "y", .in = ParamDoc::In::path, .schema = {{"type", "integer"}}},
                         {.name = "page", .description = "which"}},
              .responses = {{200, "fine", {{"type", "object"}}}}});
  const auto doc = openapi_document(router, kInfo);
  EXPECT_EQ(doc.at("openapi"), "3.1.0");
  ASSERT_TRUE(doc.at("paths").contains("/api/a/{x}/b/{y}")) << doc.dump(2);
  const auto& op = doc["paths"]["/api/a/{x}/b/{y}"]["get"];
  EXPECT_EQ(op.at("summary"), "two");
  EXPECT_EQ(op.at("operationId"), "get-api-a-x-b-y");
  const auto& params = op.at("parameters");
  ASSERT_EQ(params.size(), 3u) << params.dump();
  EXPECT_EQ(params[0].at("name"), "x");
  EXPECT_EQ(params[0].at("in"), "path");
  EXPECT_EQ(params[0].at("required"), true);
  EXPECT_EQ(params[0].at("schema").at("type"), "string");
  EXPECT_EQ(params[1].at("name"), "y");
  EXPECT_EQ(params[1].at("schema").at("type"), "integer");
  EXPECT_EQ(params[2].at("name"), "page");
  EXPECT_EQ(params[2].at("in"), "query");
  EXPECT_EQ(params[2].at("required"), false);
}

TEST(OpenApi, ErrorsOfTheRoutesKindAreAddedWithTheOneErrorSchema) {
  Router router;
  router.add(Method::post, "/api/things", ok, Execution::blocking,
             {.summary = "make",
              .request_body = {{"type", "object"}},
              .responses = {{201, "made", {{"type", "object"}}}, {409, "taken", error_schema()}},
              .needs_database = true,
              .admin = true});
  router.add(Method::get, "/plain", ok, Execution::blocking,
             {.summary = "plain", .responses = {{204, "nothing", nullptr}}});
  const auto doc = openapi_document(router, kInfo);
  const auto& post = doc["paths"]["/api/things"]["post"];
  EXPECT_EQ(post.at("requestBody").at("content").at("application/json").at("schema"),
            nlohmann::ordered_json({{"type", "object"}}));
  for (const char* status : {"400", "401", "403", "409", "413", "415", "500", "503"}) {
    EXPECT_EQ(schema_at(post, status), kErrorRef) << status;
  }
  EXPECT_EQ(post.at("security"), nlohmann::ordered_json::parse(R"([{"adminToken":[]}])"));

  const auto& plain = doc["paths"]["/plain"]["get"];
  EXPECT_FALSE(plain.contains("requestBody"));
  EXPECT_FALSE(plain["responses"]["204"].contains("content"));
  // Only what every route can answer: no body, no database, no token.
  std::vector<std::string> statuses;
  for (const auto& [status, r] : plain["responses"].items()) statuses.push_back(status);
  EXPECT_EQ(statuses, (std::vector<std::string>{"204", "500"}));

  const auto& error = doc.at("components").at("schemas").at("Error");
  EXPECT_EQ(error.at("required"), nlohmann::ordered_json::array({"error"}));
  EXPECT_EQ(doc["components"]["securitySchemes"]["adminToken"]["scheme"], "bearer");
}

TEST(OpenApi, EveryRouteAppearsOnceEvenUndocumentedOrRegisteredTwice) {
  Router router;
  router.add(Method::get, "/x", ok, Execution::blocking,
             {.summary = "first", .responses = {{200, "one", nullptr}}});
  router.add(Method::get, "/x", ok, Execution::blocking,
             {.summary = "second", .responses = {{200, "two", nullptr}}});
  router.add(Method::del, "/x", ok);
  router.add(Method::get, "/", ok);
  const auto doc = openapi_document(router, kInfo);
  EXPECT_EQ(doc["paths"]["/x"]["get"]["summary"], "first");
  ASSERT_TRUE(doc["paths"]["/x"].contains("delete"));
  EXPECT_TRUE(doc["paths"]["/x"]["delete"]["responses"].contains("default"));
  EXPECT_TRUE(doc["paths"].contains("/"));
  EXPECT_EQ(doc["paths"].size(), 2u);
}

}  // namespace
}  // namespace ds::http
