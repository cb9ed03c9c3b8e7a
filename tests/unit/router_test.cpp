#include "http/router.hpp"

#include <gtest/gtest.h>

namespace ds::http {
namespace {

Response named(std::string name) {
  return Response::json(200, std::move(name));
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add(Method::get, "/api/db/status", [](const Request&) { return named("status"); });
    router.add(Method::post, "/api/db/setup", [](const Request&) { return named("setup"); });
    router.add(Method::get, "/api/projects/:id", [](const Request&) { return named("get project"); });
    router.add(Method::patch, "/api/projects/:id", [](const Request&) { return named("patch project"); });
    router.add(Method::get, "/api/a/:x/b/:y", [](const Request&) { return named("two params"); });
    router.add(Method::get, "/", [](const Request&) { return named("root"); });
  }

  std::string handler_of(const Router::Match& m) {
    return m.route == nullptr ? "<none>" : m.route->handler(Request{}).body;
  }

  Router router;
};

TEST_F(RouterTest, MatchesLiteralRoutes) {
  EXPECT_EQ(handler_of(router.match(Method::get, "/api/db/status")), "status");
  EXPECT_EQ(handler_of(router.match(Method::post, "/api/db/setup")), "setup");
  EXPECT_EQ(handler_of(router.match(Method::get, "/")), "root");
}

TEST_F(RouterTest, ExtractsParameters) {
  const std::string path = "/api/a/one/b/two";
  const auto m = router.match(Method::get, path);
  EXPECT_EQ(handler_of(m), "two params");
  EXPECT_EQ(m.params.get("x"), "one");
  EXPECT_EQ(m.params.get("y"), "two");
  EXPECT_EQ(m.params.get("z"), "");
  const auto p = router.match(Method::patch, "/api/projects/abc-123");
  EXPECT_EQ(handler_of(p), "patch project");
  EXPECT_EQ(p.params.get("id"), "abc-123");
}

TEST_F(RouterTest, UnknownPathIsNotFound) {
  for (const char* path : {"/api/nope", "/api/projects", "/api/projects/1/extra", "/api/db", "/api/db/statusx"}) {
    SCOPED_TRACE(path);
    const auto m = router.match(Method::get, path);
    EXPECT_EQ(m.route, nullptr);
    EXPECT_FALSE(m.path_known);
  }
}

TEST_F(RouterTest, KnownPathWithAnotherMethodIsMethodNotAllowed) {
  const auto m = router.match(Method::post, "/api/db/status");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_known);
  const auto d = router.match(Method::del, "/api/projects/7");
  EXPECT_EQ(d.route, nullptr);
  EXPECT_TRUE(d.path_known);
}

TEST_F(RouterTest, TrailingSlashIsIgnored) {
  EXPECT_EQ(handler_of(router.match(Method::get, "/api/db/status/")), "status");
  EXPECT_EQ(router.match(Method::get, "/api/projects/9/").params.get("id"), "9");
}

TEST_F(RouterTest, TooManySegmentsMatchNothing) {
  std::string path;
  for (int i = 0; i < 40; ++i) path += "/s";
  const auto m = router.match(Method::get, path);
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_known);
  Router deep;
  std::string sixteen;
  for (int i = 0; i < 16; ++i) sixteen += "/s";
  deep.add(Method::get, sixteen, [](const Request&) { return named("deep"); });
  EXPECT_EQ(handler_of(deep.match(Method::get, sixteen)), "deep");
  EXPECT_EQ(deep.match(Method::get, sixteen + "/s").route, nullptr);
}

TEST(QueryParam, DecodesPercentAndPlus) {
  Request r;
  r.query = "a=1&b=hello%20world&c=x+y&flag&e=%zz&f=%41%42&na%6De=decoded-name&a=second&t=%4";
  EXPECT_EQ(r.query_param("a"), "1");
  EXPECT_EQ(r.query_param("b"), "hello world");
  EXPECT_EQ(r.query_param("c"), "x y");
  EXPECT_EQ(r.query_param("flag"), "");
  EXPECT_EQ(r.query_param("e"), "%zz");
  EXPECT_EQ(r.query_param("f"), "AB");
  EXPECT_EQ(r.query_param("name"), "decoded-name");
  EXPECT_EQ(r.query_param("t"), "%4");
  EXPECT_EQ(r.query_param("missing"), std::nullopt);
}

TEST(QueryParam, EmptyQueryHasNoParameters) {
  Request r;
  EXPECT_EQ(r.query_param("a"), std::nullopt);
  r.query = "&&";
  EXPECT_EQ(r.query_param("a"), std::nullopt);
}

}  // namespace
}  // namespace ds::http
