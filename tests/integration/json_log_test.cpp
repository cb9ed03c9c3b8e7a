// LOG_FORMAT=json over the real binary: every stderr line is one JSON object a log pipeline
// built for pino can read (level as pino's number, time in ms, msg), the message's
// `key=value` words are fields, and secrets stay redacted.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/server_process.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

std::vector<nlohmann::json> json_lines(const std::string& log) {
  std::vector<nlohmann::json> out;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(j.is_object()) << "not a JSON object: " << line;
    out.push_back(std::move(j));
  }
  return out;
}

TEST(JsonLogs, EveryLineIsAPinoObjectWithTheMessagesFields) {
  const auto start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  ServerProcess server({{"LOG_FORMAT", "json"},
                        {"LOG_LEVEL", "debug"},
                        {"DEPLOYSTACK_ADMIN_TOKEN", "admin-SECRET-in-logs"},
                        {"DEPLOYSTACK_ENCRYPTION_SECRET", "a secret long enough for argon2id"}});
  server.start();
  ASSERT_EQ(server.setup_database().status, 200);
  ASSERT_EQ(server.request("GET", "/api/nope\xff").status, 404);  // a hostile path in a log line
  server.stop();

  const auto lines = json_lines(server.log());
  ASSERT_GT(lines.size(), 3u) << server.log();
  bool saw_setup = false, saw_request = false;
  for (const auto& j : lines) {
    ASSERT_TRUE(j.is_object());
    EXPECT_TRUE(j.at("level").is_number_integer());
    EXPECT_TRUE(j.at("level") == 10 || j.at("level") == 20 || j.at("level") == 30 ||
                j.at("level") == 40 || j.at("level") == 50 || j.at("level") == 60);
    EXPECT_GE(j.at("time").get<std::int64_t>(), start_ms - 1000);
    EXPECT_TRUE(j.at("msg").is_string());
    EXPECT_TRUE(j.at("pid").is_number_integer());
    if (j.value("msg", "").find("setup complete") != std::string::npos) {
      saw_setup = true;
      EXPECT_EQ(j.at("level"), 30);
      EXPECT_EQ(j.value("database", ""), "sqlite");
    }
    if (j.value("path", "") == "/api/db/setup" && j.contains("status")) {
      saw_request = true;
      EXPECT_EQ(j.at("status"), 200);  // an integer value is a JSON number
      EXPECT_EQ(j.value("method", ""), "POST");
    }
  }
  EXPECT_TRUE(saw_setup) << server.log();
  EXPECT_TRUE(saw_request) << server.log();
  EXPECT_EQ(server.log().find("admin-SECRET-in-logs"), std::string::npos);
  EXPECT_EQ(server.log().find("argon2id"), std::string::npos);
}

TEST(JsonLogs, AnUnknownFormatStopsTheStartNamingTheVariable) {
  ServerProcess server(ServerProcess::Env{{"LOG_FORMAT", "yaml"}});
  EXPECT_THROW(server.start(), std::runtime_error);
  EXPECT_NE(server.log().find("LOG_FORMAT must be 'text' or 'json'"), std::string::npos)
      << server.log();
}

}  // namespace
}  // namespace ds::test
