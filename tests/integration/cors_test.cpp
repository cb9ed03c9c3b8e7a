// CORS for the web frontend on another origin (shared/spec/api.md, "CORS"), over real HTTP
// against the real binary: preflights as a browser sends them for
// fetch(url, {credentials: 'include'}) with a JSON body, the headers on the answers that
// follow, and nothing for an origin not on the list.
#include <gtest/gtest.h>

#include <stdexcept>

#include "support/server_process.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

constexpr const char* kFrontend = "https://app.example.com";

class Cors : public ::testing::Test {
 protected:
  void SetUp() override {
    server.env()["DEPLOYSTACK_FRONTEND_URL"] = std::string(kFrontend) + ", http://10.0.0.5:8080/";
    server.start();
  }
  HttpResponse preflight(const std::string& origin, const std::string& path,
                         const std::string& method = "POST") {
    return server.request("OPTIONS", path, {},
                          {{"Origin", origin},
                           {"Access-Control-Request-Method", method},
                           {"Access-Control-Request-Headers", "content-type"}});
  }
  ServerProcess server;
};

void expect_allowed(const HttpResponse& r, const std::string& origin) {
  EXPECT_EQ(r.header("access-control-allow-origin"), origin);
  EXPECT_EQ(r.header("access-control-allow-credentials"), "true");
  EXPECT_EQ(r.header("vary"), "Origin");
}

TEST_F(Cors, APreflightFromAnAllowedOriginIs204WithTheAllowHeadersOnAnyPath) {
  for (const std::string origin : {"http://localhost:5173", kFrontend, "http://10.0.0.5:8080"}) {
    for (const std::string path : {"/api/db/setup", "/api/projects/x", "/api/nope"}) {
      SCOPED_TRACE(origin + " " + path);
      const auto r = preflight(origin, path);
      EXPECT_EQ(r.status, 204);
      EXPECT_TRUE(r.body.empty());
      expect_allowed(r, origin);
      EXPECT_EQ(r.header("access-control-allow-methods"), "GET,POST,PUT,PATCH,DELETE,OPTIONS");
      EXPECT_EQ(r.header("access-control-allow-headers"), "content-type");
      EXPECT_EQ(r.header("access-control-max-age"), "600");
    }
  }
}

// The whole wizard exchange a browser makes: preflight, then the credentialed request.
TEST_F(Cors, TheCredentialedRequestAfterThePreflightCarriesTheAllowHeaders) {
  ASSERT_EQ(preflight(kFrontend, "/api/db/setup").status, 204);
  const auto setup = server.request("POST", "/api/db/setup", R"({"type":"sqlite"})",
                                    {{"Origin", kFrontend}, {"Cookie", "session=x"}});
  EXPECT_EQ(setup.status, 200) << setup.body;
  expect_allowed(setup, kFrontend);
  const auto status =
      server.request("GET", "/api/db/status", {}, {{"Origin", "http://localhost:5173"}});
  EXPECT_EQ(status.status, 200);
  expect_allowed(status, "http://localhost:5173");
}

// Error answers carry the headers too (the browser must be able to read the error), and
// every route keeps its error precedence.
TEST_F(Cors, ErrorAnswersToAnAllowedOriginCarryTheHeadersAndKeepTheirPrecedence) {
  const auto not_found = server.request("GET", "/api/nope", {}, {{"Origin", kFrontend}});
  expect_status_error(not_found, 404, "Not Found");
  expect_allowed(not_found, kFrontend);
  const auto wrong_method = server.request("DELETE", "/api/db/setup", {}, {{"Origin", kFrontend}});
  expect_status_error(wrong_method, 405, "Method Not Allowed");
  expect_allowed(wrong_method, kFrontend);
  const auto media = server.request("POST", "/api/db/setup", R"({"type":"sqlite"})",
                                    {{"Origin", kFrontend}, {"Content-Type", "text/plain"}});
  expect_status_error(media, 415, "Unsupported Media Type");
  expect_allowed(media, kFrontend);
  // OPTIONS without Access-Control-Request-Method is no preflight: answered as before.
  const auto plain_options =
      server.request("OPTIONS", "/api/db/status", {}, {{"Origin", kFrontend}});
  EXPECT_EQ(plain_options.status, 405);
}

TEST_F(Cors, AnOriginNotOnTheListGetsNoAllowHeaders) {
  for (const std::string origin :
       {"https://evil.example.com", "https://app.example.com.evil.com", "http://app.example.com",
        "https://APP.example.com:443", "null"}) {
    SCOPED_TRACE(origin);
    const auto pre = preflight(origin, "/api/db/setup");
    EXPECT_EQ(pre.status, 204);
    const auto get = server.request("GET", "/api/db/status", {}, {{"Origin", origin}});
    EXPECT_EQ(get.status, 200);
    for (const auto* r : {&pre, &get}) {
      EXPECT_EQ(r->header("access-control-allow-origin"), "");
      EXPECT_EQ(r->header("access-control-allow-credentials"), "");
      EXPECT_EQ(r->header("access-control-allow-methods"), "");
    }
  }
}

TEST_F(Cors, ARequestWithoutOriginIsAnsweredAsBefore) {
  const auto r = server.request("GET", "/api/db/status");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
  EXPECT_EQ(r.header("vary"), "");
}

TEST(CorsConfig, AFrontendUrlThatIsNoOriginStopsTheStartNamingTheVariable) {
  for (const std::string bad :
       {"app.example.com", "https://app.example.com/path", "ftp://x", "https://"}) {
    SCOPED_TRACE(bad);
    ServerProcess server({{"DEPLOYSTACK_FRONTEND_URL", bad}});
    try {
      server.start();
      ADD_FAILURE() << "started with DEPLOYSTACK_FRONTEND_URL=" << bad;
    } catch (const std::runtime_error&) {
      EXPECT_NE(server.log().find("DEPLOYSTACK_FRONTEND_URL"), std::string::npos) << server.log();
    }
  }
}

}  // namespace
}  // namespace ds::test
