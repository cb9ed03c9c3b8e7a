#pragma once
// Bodies and checks shared by the integration tests (exact strings from shared/spec/api.md).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/http_client.hpp"

namespace ds::test {

inline const std::string kStatusBeforeSetup = R"({"configured":false,"initialized":false,"dialect":null})";
inline std::string status_ready(const std::string& type) {
  return R"({"configured":true,"initialized":true,"dialect":")" + type + R"("})";
}
inline std::string setup_success(const std::string& type) {
  return R"({"message":"Database setup successful. All services have been initialized and are ready to use.","restart_required":false,"database_type":")" +
         type + R"("})";
}
inline std::string already_performed(const std::string& type) {
  return R"({"message":"Database setup has already been performed.","database_type":")" + type + R"("})";
}
inline const std::string kUnauthorized = R"({"error":"Unauthorized","details":"Setup requires the setup token"})";
inline const std::string kJsonContentType = "application/json; charset=utf-8";

// Checks the 400 validation shape: exactly success/error/details, one detail at `path`.
inline void expect_validation_error(const HttpResponse& r, const std::string& path,
                                    const std::string& message_prefix = "") {
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.header("content-type"), kJsonContentType);
  const auto json = nlohmann::ordered_json::parse(r.body, nullptr, false);
  ASSERT_TRUE(json.is_object()) << r.body;
  std::vector<std::string> keys;
  for (const auto& [k, v] : json.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"success", "error", "details"})) << r.body;
  EXPECT_EQ(json.value("success", true), false);
  EXPECT_EQ(json.value("error", ""), "Validation error");
  ASSERT_TRUE(json["details"].is_array()) << r.body;
  ASSERT_EQ(json["details"].size(), 1u) << r.body;
  EXPECT_EQ(json["details"][0].value("path", "?"), path) << r.body;
  const std::string message = json["details"][0].value("message", "");
  EXPECT_FALSE(message.empty()) << r.body;
  EXPECT_TRUE(message.starts_with(message_prefix)) << r.body;
}

// Checks {"statusCode":N,"error":"<reason>","message":"..."}.
inline void expect_status_error(const HttpResponse& r, int status, const std::string& reason) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("content-type"), kJsonContentType);
  const auto json = nlohmann::ordered_json::parse(r.body, nullptr, false);
  ASSERT_TRUE(json.is_object()) << r.body;
  std::vector<std::string> keys;
  for (const auto& [k, v] : json.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"statusCode", "error", "message"})) << r.body;
  EXPECT_EQ(json.value("statusCode", 0), status);
  EXPECT_EQ(json.value("error", ""), reason);
  EXPECT_FALSE(json.value("message", "").empty()) << r.body;
}

// The value of the sample `series` (its name and labels exactly as GET /metrics writes them)
// in a Prometheus text answer, or -1 when absent.
inline double metric_value(const std::string& text, const std::string& series) {
  for (std::size_t at = 0; (at = text.find(series + " ", at)) != std::string::npos;
       at += series.size()) {
    if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + series.size() + 1));
  }
  return -1;
}

}  // namespace ds::test
