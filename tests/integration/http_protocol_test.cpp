// The HTTP layer of the real binary: common error shapes, their precedence, limits,
// keep-alive, malformed requests and graceful shutdown.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <signal.h>

#include "support/server_process.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

constexpr std::size_t kLimit = 1 << 20;

std::string big_json_body(std::size_t size) {
  std::string body = R"({"type":"sqlite","pad":")";
  body.append(size - body.size() - 2, 'x');
  body += "\"}";
  return body;
}

class HttpProtocol : public ::testing::Test {
 protected:
  void SetUp() override { server.start(); }
  ServerProcess server;
};

TEST_F(HttpProtocol, UnknownRouteIs404WithTheExactBody) {
  const auto r = server.request("GET", "/api/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("content-type"), kJsonContentType);
  EXPECT_EQ(r.body, R"({"statusCode":404,"error":"Not Found","message":"Route GET:/api/nope not found"})");
  EXPECT_EQ(server.request("DELETE", "/").body,
            R"({"statusCode":404,"error":"Not Found","message":"Route DELETE:/ not found"})");
}

TEST_F(HttpProtocol, KnownPathWithAnotherMethodIs405) {
  expect_status_error(server.request("POST", "/api/db/status", "{}"), 405, "Method Not Allowed");
  expect_status_error(server.request("GET", "/api/db/setup"), 405, "Method Not Allowed");
  expect_status_error(server.request("DELETE", "/api/db/setup"), 405, "Method Not Allowed");
}

TEST_F(HttpProtocol, WrongContentTypeIs415) {
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "application/jsonx", ""}) {
    SCOPED_TRACE(type);
    expect_status_error(server.request("POST", "/api/db/setup", R"({"type":"sqlite"})", {{"Content-Type", type}}),
                        415, "Unsupported Media Type");
  }
  // JSON content types in other spellings are accepted.
  const auto ok = server.request("POST", "/api/db/setup", R"({"type":"sqlite"})",
                                 {{"Content-Type", "Application/JSON ; charset=UTF-8"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(HttpProtocol, BodyOverTheLimitIs413) {
  const auto r = server.request("POST", "/api/db/setup", big_json_body(kLimit + 1));
  expect_status_error(r, 413, "Payload Too Large");
  EXPECT_EQ(server.request("GET", "/api/db/status").body, kStatusBeforeSetup);
}

// The client sends its whole (too large) body before reading: the 413 must still reach it,
// not be destroyed by a reset from a server closing with unread bytes.
TEST_F(HttpProtocol, A413ReachesAClientThatKeepsSendingItsBody) {
  for (int i = 0; i < 3; ++i) {
    HttpClient client("127.0.0.1", server.port());
    const std::string body = big_json_body(8 * kLimit);
    const auto r = client.send_raw(fmt::format(
        "POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.size(), body));
    expect_status_error(r, 413, "Payload Too Large");
  }
}

TEST_F(HttpProtocol, BodyAtTheLimitIsAccepted) {
  const auto r = server.request("POST", "/api/db/setup", big_json_body(kLimit));
  EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
}

TEST_F(HttpProtocol, ChunkedBodyOverTheLimitIs413) {
  HttpClient client("127.0.0.1", server.port());
  std::string request =
      "POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  // Many small chunks whose sum passes the limit; no single one does.
  const std::string chunk_data(64 * 1024, ' ');
  for (std::size_t sent = 0; sent <= kLimit; sent += chunk_data.size()) {
    request += fmt::format("{:x}\r\n{}\r\n", chunk_data.size(), chunk_data);
  }
  request += "0\r\n\r\n";
  const auto r = client.send_raw(request);
  expect_status_error(r, 413, "Payload Too Large");
}

TEST_F(HttpProtocol, ChunkedBodyUnderTheLimitIsRead) {
  HttpClient client("127.0.0.1", server.port());
  const auto r = client.send_raw(
      "POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n"
      "5\r\n{\"typ\r\n"
      "c\r\ne\":\"sqlite\"}\r\n"
      "0\r\n\r\n");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(HttpProtocol, ErrorPrecedenceRouteThenSize) {
  const auto big = big_json_body(kLimit + 100);
  const auto not_found = server.request("POST", "/api/nope", big);
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(not_found.body, R"({"statusCode":404,"error":"Not Found","message":"Route POST:/api/nope not found"})");
  expect_status_error(server.request("PUT", "/api/db/setup", big), 405, "Method Not Allowed");
}

TEST_F(HttpProtocol, ErrorPrecedenceContentTypeBeforeJson) {
  expect_status_error(server.request("POST", "/api/db/setup", "{not json", {{"Content-Type", "text/plain"}}), 415,
                      "Unsupported Media Type");
  expect_validation_error(server.request("POST", "/api/db/setup", "{not json"), "", "Body is not valid JSON: ");
}

TEST_F(HttpProtocol, ErrorPrecedenceValidationBeforeState) {
  ASSERT_EQ(server.setup_database().status, 200);
  expect_validation_error(server.request("POST", "/api/db/setup", "{not json"), "", "Body is not valid JSON: ");
  expect_validation_error(server.request("POST", "/api/db/setup", R"({"type":"mysql"})"), "type");
  expect_status_error(server.request("POST", "/api/db/setup", R"({"type":"sqlite"})", {{"Content-Type", "text/plain"}}),
                      415, "Unsupported Media Type");
}

TEST(HttpProtocolWithToken, ErrorPrecedenceSizeThenAuthThenContentType) {
  ServerProcess server(ServerProcess::Env{{"DEPLOYSTACK_SETUP_TOKEN", "tok"}});
  server.start();
  // 413 before 401.
  expect_status_error(server.request("POST", "/api/db/setup", big_json_body(kLimit + 1)), 413, "Payload Too Large");
  // 401 before 415 and 400.
  const auto no_auth_ct = server.request("POST", "/api/db/setup", "{bad", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(no_auth_ct.status, 401);
  EXPECT_EQ(no_auth_ct.body, kUnauthorized);
  const auto no_auth_json = server.request("POST", "/api/db/setup", "{bad");
  EXPECT_EQ(no_auth_json.status, 401);
  // With the token: 415, then 400.
  const Headers auth = {{"Authorization", "Bearer tok"}};
  Headers auth_text = auth;
  auth_text.emplace_back("Content-Type", "text/plain");
  expect_status_error(server.request("POST", "/api/db/setup", "{bad", auth_text), 415, "Unsupported Media Type");
  expect_validation_error(server.request("POST", "/api/db/setup", "{bad", auth), "", "Body is not valid JSON: ");
  ASSERT_EQ(server.setup_database().status, 200);
  // 401 before 409.
  EXPECT_EQ(server.request("POST", "/api/db/setup", R"({"type":"sqlite"})").status, 401);
}

TEST_F(HttpProtocol, KeepAliveServesManyRequestsOnOneConnection) {
  auto client = server.client();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(client->request("GET", "/api/db/status").status, 200);
    EXPECT_EQ(client->request("GET", "/api/nope").status, 404);
    EXPECT_EQ(client->request("POST", "/api/db/setup", "{bad").status, 400);
    EXPECT_EQ(client->request("POST", "/api/db/setup", "{}", {{"Content-Type", "text/plain"}}).status, 415);
  }
  EXPECT_EQ(client->connections_opened(), 1);
  EXPECT_FALSE(client->server_closed(std::chrono::milliseconds(0)));
}

TEST_F(HttpProtocol, PipelinedRequestsAreAnsweredInOrder) {
  HttpClient client("127.0.0.1", server.port());
  client.write_raw(
      "GET /api/db/status HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/nope HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/db/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(client.read_response().status, 200);
  EXPECT_EQ(client.read_response().status, 404);
  const auto last = client.read_response();
  EXPECT_EQ(last.status, 200);
  EXPECT_FALSE(last.keep_alive);
  EXPECT_TRUE(client.server_closed());
}

TEST_F(HttpProtocol, MalformedHttpGets400AndTheServerLives) {
  HttpClient client("127.0.0.1", server.port());
  const std::string huge_header = "GET /api/db/status HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
  for (const std::string& bytes :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET /api/db/status HTTP/9.9\r\nHost: x\r\n\r\n"),
        std::string("GET /api/db/status HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n"),
        std::string("POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
        std::string("POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n"),
        std::string("POST /api/db/setup HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
    SCOPED_TRACE(bytes.substr(0, 60));
    const auto r = client.send_raw(bytes);
    EXPECT_EQ(r.status, 400) << r.body;
    if (r.status == 400) {
      EXPECT_EQ(r.header("content-type"), kJsonContentType);
    }
  }
  EXPECT_EQ(client.send_raw(huge_header).status, 431);  // RFC 6585, see http_hostile_test.cpp
  // A client that sends half a request and hangs up does no harm either.
  client.write_raw("POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"ty");
  client.close();
  EXPECT_TRUE(server.running());
  EXPECT_EQ(server.request("GET", "/api/db/status").body, kStatusBeforeSetup);
}

TEST_F(HttpProtocol, QueryStringIsNotPartOfThePath) {
  EXPECT_EQ(server.request("GET", "/api/db/status?x=1&y").status, 200);
}

TEST(HttpShutdown, SigtermExitsZeroAfterFinishingInFlightRequests) {
  ServerProcess traced(ServerProcess::Env{{"LOG_LEVEL", "trace"}});
  traced.start();
  HttpClient client("127.0.0.1", traced.port());
  const std::string body = R"({"type":"sqlite"})";
  // The request is in flight once the server has its headers; the rest of the body comes
  // only after the server started shutting down.
  client.write_raw("POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 5));
  ASSERT_TRUE(traced.wait_for_log("path=/api/db/setup started")) << traced.log();
  traced.process()->signal(SIGTERM);
  ASSERT_TRUE(traced.wait_for_log("stopping")) << traced.log();
  client.write_raw(body.substr(5));
  const auto r = client.read_response();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, setup_success("sqlite"));
  EXPECT_FALSE(r.keep_alive);
  EXPECT_EQ(traced.process()->wait(std::chrono::seconds(20)), 0);
  EXPECT_NE(traced.log().find("stopped cleanly"), std::string::npos);
}

TEST_F(HttpProtocol, SigtermWithIdleKeepAliveConnectionsExitsPromptly) {
  auto idle = server.client();
  ASSERT_EQ(idle->request("GET", "/api/db/status").status, 200);
  ASSERT_EQ(server.setup_database().status, 200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server.stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace ds::test
