// Hostile and unusual requests against the real binary (issue 12, items 3, 4, 7, 8, 10, 11):
// every request gets an answer, framing that could smuggle a request is refused, the accept
// loop backs off when descriptors run out, SIGHUP drains.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "support/server_process.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

// Sends `bytes` on a fresh connection and returns everything until the server closes.
std::string raw_exchange(std::uint16_t port, std::string_view bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())) {
    timeval timeout{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char buf[4096];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
      out.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return out;
}

class HttpHostile : public ::testing::Test {
 protected:
  void SetUp() override { server.start(); }
  HttpResponse raw(std::string_view bytes) {
    HttpClient client("127.0.0.1", server.port());
    return client.send_raw(bytes);
  }
  ServerProcess server;
};

TEST_F(HttpHostile, BytesAbove0x7fInAnyPartOfTheRequestGetAnAnswer) {
  EXPECT_EQ(raw("GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n").status, 404);
  EXPECT_EQ(raw("POST /api/db/status\xfe HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").status,
            404);
  EXPECT_EQ(
      raw("POST /api/db/status?\xff=\xff HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").status,
      405);
  EXPECT_EQ(raw("GET /api/db/status?a=\xff HTTP/1.1\r\nHost: x\r\nX-Any: \xff\xfe\r\n\r\n").status,
            200);
  const auto ct =
      raw("POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Type: \xff\r\nContent-Length: "
          "2\r\n\r\n{}");
  expect_status_error(ct, 415, "Unsupported Media Type");
  const auto auth =
      raw("POST /api/db/setup HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\r\nContent-Type: "
          "application/json\r\n"
          "Content-Length: 4\r\n\r\n{\"a\"");
  EXPECT_EQ(auth.status, 400) << auth.body;
  EXPECT_EQ(raw("GET /api/projects/\xff HTTP/1.1\r\nHost: x\r\n\r\n").status, 400);
  EXPECT_EQ(server.request("GET", "/api/db/status").status, 200);
}

// The body of a request with a non-chunked final coding must never run as a request.
TEST_F(HttpHostile, TransferEncodingThatCouldSmuggleARequestIsRefusedAndClosed) {
  const std::string smuggled =
      "POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 17\r\n\r\n{\"type\":\"sqlite\"}";
  for (const char* te : {"gzip", "chunked, gzip", "chunked, chunked", "identity"}) {
    SCOPED_TRACE(te);
    HttpClient client("127.0.0.1", server.port());
    client.write_raw(fmt::format(
        "GET /api/db/status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: {}\r\n\r\n{}", te, smuggled));
    const auto r = client.read_response();
    expect_status_error(r, 400, "Bad Request");
    EXPECT_FALSE(r.keep_alive);
    EXPECT_TRUE(client.server_closed());
  }
  HttpClient gz("127.0.0.1", server.port());
  const auto r = gz.send_raw(
      "POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: gzip, chunked\r\n\r\n11\r\n{\"type\":\"sqlite\"}\r\n0\r\n\r\n");
  expect_status_error(r, 501, "Not Implemented");
  EXPECT_EQ(raw("POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: "
                "chunked\r\n\r\n0\r\n\r\n")
                .status,
            400);
  // Nothing was set up by a smuggled request.
  EXPECT_EQ(server.request("GET", "/api/db/status").body, kStatusBeforeSetup);
  EXPECT_FALSE(std::filesystem::exists(server.selection_file()));
}

TEST_F(HttpHostile, ANumberBeyondDoubleRangeIs400AndStaysOutOfTheLog) {
  const auto r = server.request("POST", "/api/db/setup", R"({"type":"sqlite","n":1e999})");
  expect_validation_error(r, "", "Body is not valid JSON: ");
  EXPECT_EQ(server.log().find("1e999"), std::string::npos) << server.log();
}

TEST_F(HttpHostile, ProjectNamesAndDescriptionsAreBounded) {
  ASSERT_EQ(server.setup_database().status, 200);
  expect_validation_error(server.request("POST", "/api/projects",
                                         fmt::format(R"({{"name":"{}"}})", std::string(256, 'n'))),
                          "name");
  std::string accented;
  for (int i = 0; i < 255; ++i) accented += "\xc3\xa9";  // 255 characters, 510 bytes
  EXPECT_EQ(
      server.request("POST", "/api/projects", fmt::format(R"({{"name":"{}"}})", accented)).status,
      201);
  expect_validation_error(
      server.request("POST", "/api/projects",
                     fmt::format(R"({{"name":"a","description":"{}"}})", std::string(4097, 'd'))),
      "description");
  const auto created = server.request("POST", "/api/projects", R"({"name":"a"})");
  ASSERT_EQ(created.status, 201);
  const auto id = nlohmann::json::parse(created.body)["id"].get<std::string>();
  expect_validation_error(server.request("PATCH", "/api/projects/" + id,
                                         fmt::format(R"({{"name":"{}"}})", std::string(256, 'n'))),
                          "name");
}

TEST_F(HttpHostile, ConformanceAllowHostHeadAbsoluteFormLimits) {
  const auto not_allowed = server.request("POST", "/api/db/status", "{}");
  EXPECT_EQ(not_allowed.status, 405);
  EXPECT_EQ(not_allowed.header("allow"), "GET, HEAD");
  EXPECT_EQ(raw("GET /api/db/status HTTP/1.1\r\n\r\n").status, 400);
  EXPECT_EQ(raw("GET /api/db/status HTTP/1.0\r\n\r\n").status, 200);
  const auto absolute =
      raw("GET http://example.com/api/db/status?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_EQ(absolute.status, 200);
  EXPECT_EQ(absolute.body, kStatusBeforeSetup);
  const auto get = server.request("GET", "/api/db/status");
  // HEAD: the GET's head (its Content-Length) and no body; read as bytes (a client parser
  // would wait for the body).
  const std::string head = raw_exchange(
      server.port(), "HEAD /api/db/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 ")) << head;
  EXPECT_NE(head.find("Content-Length: " + std::to_string(get.body.size()) + "\r\n"),
            std::string::npos)
      << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
  EXPECT_EQ(raw("GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n").status, 414);
  EXPECT_EQ(raw("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n").status, 414);
  EXPECT_EQ(
      raw("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'b') + "\r\n\r\n").status,
      431);
}

TEST_F(HttpHostile, PathParametersArePercentDecodedStrictly) {
  ASSERT_EQ(server.setup_database().status, 200);
  const auto created = server.request("POST", "/api/projects", R"({"name":"p"})");
  ASSERT_EQ(created.status, 201);
  const auto id = nlohmann::json::parse(created.body)["id"].get<std::string>();
  std::string encoded;
  for (char c : id) encoded += c == '-' ? std::string("%2D") : std::string(1, c);
  EXPECT_EQ(server.request("GET", "/api/projects/" + encoded).status, 200);
  EXPECT_EQ(server.request("GET", "/api/projects/%zz").status, 400);
  EXPECT_EQ(server.request("GET", "/api/projects/%ff").status, 400);
}

TEST_F(HttpHostile, ExpectContinueGetsAGoAheadOrAnImmediateRefusal) {
  HttpClient client("127.0.0.1", server.port());
  const std::string body = R"({"type":"sqlite"})";
  client.write_raw(
      fmt::format("POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  "Expect: 100-continue\r\nContent-Length: {}\r\n\r\n",
                  body.size()));
  EXPECT_EQ(client.read_response().status, 100);  // before any body byte was sent
  client.write_raw(body);
  EXPECT_EQ(client.read_response().status, 200);
  HttpClient refused("127.0.0.1", server.port());
  refused.write_raw(
      "POST /api/nope HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(refused.read_response().status, 404);
}

TEST(HttpHostileSignals, SighupDrainsLikeSigterm) {
  ServerProcess traced(ServerProcess::Env{{"LOG_LEVEL", "trace"}});
  traced.start();
  HttpClient client("127.0.0.1", traced.port());
  const std::string body = R"({"type":"sqlite"})";
  client.write_raw(
      "POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 5));
  ASSERT_TRUE(traced.wait_for_log("path=/api/db/setup started")) << traced.log();
  traced.process()->signal(SIGHUP);
  ASSERT_TRUE(traced.wait_for_log("stopping")) << traced.log();
  client.write_raw(body.substr(5));
  const auto r = client.read_response();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(traced.process()->wait(std::chrono::seconds(20)), 0);
}

// Out of descriptors, accept() fails: the server must back off (one log line per episode),
// keep serving the connections it has, and take the waiting ones once descriptors free up.
TEST(HttpHostileFds, RunningOutOfDescriptorsBacksOffAndRecovers) {
  ServerProcess server(ServerProcess::Env{{"MAX_CONNECTIONS", "100000"}});
  server.start();
  ASSERT_EQ(server.request("GET", "/api/db/status").status, 200);
  // Only a few descriptors above those in use at the moment.
  std::size_t open_fds = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(
           "/proc/" + std::to_string(server.process()->pid()) + "/fd")) {
    ++open_fds;
  }
  // Only the soft limit goes down: raising it back later needs no privilege, a hard one would.
  rlimit normal{};
  ASSERT_EQ(prlimit(server.process()->pid(), RLIMIT_NOFILE, nullptr, &normal), 0);
  const rlimit low{open_fds + 4, normal.rlim_max};
  ASSERT_EQ(prlimit(server.process()->pid(), RLIMIT_NOFILE, &low, nullptr), 0);
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 12; ++i) {
    clients.push_back(std::make_unique<HttpClient>("127.0.0.1", server.port()));
    clients.back()->write_raw("GET /api/db/status HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  ASSERT_TRUE(server.wait_for_log("accept failed")) << server.log();
  // The first connections are served while the last wait.
  EXPECT_EQ(clients.front()->read_response().status, 200);
  for (int i = 0; i < 8; ++i) clients[i]->close();
  for (int i = 8; i < 12; ++i) EXPECT_EQ(clients[i]->read_response().status, 200) << i;
  ASSERT_TRUE(server.wait_for_log("accept recovered")) << server.log();
  EXPECT_EQ(server.log_count("accept failed"), 1) << server.log().substr(0, 2000);
  // Stop with descriptors to spare: UBSan's vptr check probes memory through a pipe, and at the
  // limit a thread ending at shutdown gets a false "invalid vptr" report.
  for (int i = 8; i < 12; ++i) clients[i]->close();
  ASSERT_EQ(prlimit(server.process()->pid(), RLIMIT_NOFILE, &normal, nullptr), 0);
  EXPECT_EQ(server.stop(), 0);
}

TEST(HttpHostileFds, AtTheConnectionCapNewConnectionsWaitAndAreServedLater) {
  ServerProcess server(ServerProcess::Env{{"MAX_CONNECTIONS", "3"}});
  server.start();
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<HttpClient>("127.0.0.1", server.port()));
    ASSERT_EQ(clients.back()->request("GET", "/api/db/status").status, 200);
  }
  HttpClient waiting("127.0.0.1", server.port());
  waiting.write_raw("GET /api/db/status HTTP/1.1\r\nHost: x\r\n\r\n");
  clients.front()->close();
  EXPECT_EQ(waiting.read_response().status, 200);
  EXPECT_EQ(server.log_count("accept failed"), 0);
}

}  // namespace
}  // namespace ds::test
