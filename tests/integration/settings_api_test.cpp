// /api/settings and `deploystack settings rotate-key` against the real binary, on a real
// SQLite file and on the local Turso server: one suite parametrised by database. Stored rows
// are read and tampered with through the backend's own connection, ciphertext at rest in the
// database's files on disk.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/server_process.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

using json = nlohmann::ordered_json;

const std::string kToken = "admin-token-0123456789";
const Headers kAuth = {{"Authorization", "Bearer " + kToken}};
const std::string kForbidden =
    R"({"success":false,"error":"Settings API disabled: DEPLOYSTACK_ADMIN_TOKEN is not set"})";
const std::string kKeyUnavailable =
    R"({"success":false,"error":"Encrypted settings unavailable","details":"Set DEPLOYSTACK_ENCRYPTION_SECRET or restore persistent_data/encryption.key"})";
std::string decrypt_failed(const std::string& key) {
  return R"({"success":false,"error":"Setting could not be decrypted","details":")" + key + R"("})";
}

ServerProcess::Env env_with(bool secret) {
  ServerProcess::Env env{{"DEPLOYSTACK_ADMIN_TOKEN", kToken}};
  if (secret) env["DEPLOYSTACK_ENCRYPTION_SECRET"] = "integration-secret";
  return env;
}

// Everything the database holds on disk (for SQLite and tursodb alike: main file and WAL).
std::string raw_files(const DatabaseBackend& backend) {
  std::string out;
  for (const auto& p : backend.files()) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    out += buf.str();
  }
  return out;
}

std::string stored_value(DatabaseBackend& backend, const std::string& key) {
  const auto db = backend.connect();
  const db::Value k{key};
  auto r = db->execute("SELECT value FROM globalSettings WHERE key = ?", std::span(&k, 1));
  return r.row_count() ? std::get<std::string>(r.cells.at(0)) : "";
}

void set_stored_value(DatabaseBackend& backend, const std::string& key, const std::string& value) {
  const auto db = backend.connect();
  const db::Value p[] = {value, key};
  db->execute("UPDATE globalSettings SET value = ? WHERE key = ?", p);
}


class SettingsApi : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void start(bool secret = true) { start_with(env_with(secret)); }
  void start_with(ServerProcess::Env env) {
    server = std::make_unique<ServerProcess>(std::move(env), backend);
    server->start();
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = server->setup_database();
    setup_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(r.status, 200) << r.body;
    client = server->client();
  }
  HttpResponse call(std::string_view method, const std::string& target, std::string_view body = {}) {
    return client->request(method, target, body, kAuth);
  }

  json data(const HttpResponse& r) {
    const auto j = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j.value("success", false), true) << r.body;
    return j.contains("data") ? j["data"] : json();
  }

  std::shared_ptr<DatabaseBackend> backend = GetParam()();
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> client;
  double setup_ms = 0;
};

const std::vector<std::pair<std::string, std::string>> kRoutes = {
    {"GET", "/api/settings"},           {"GET", "/api/settings/smtp.host"},
    {"POST", "/api/settings"},          {"PUT", "/api/settings/smtp.host"},
    {"DELETE", "/api/settings/smtp.host"}, {"POST", "/api/settings/search"},
    {"POST", "/api/settings/bulk"},     {"GET", "/api/settings/groups"},
    {"GET", "/api/settings/group/smtp"}, {"GET", "/api/settings/categories"},
    {"GET", "/api/settings/health"}};

TEST_P(SettingsApi, Answers403WhenTheServerHasNoAdminToken) {
  start_with({});
  for (const auto& [method, path] : kRoutes) {
    const auto r = server->request(method, path, "{}", kAuth);
    EXPECT_EQ(r.status, 403) << method << ' ' << path;
    EXPECT_EQ(r.body, kForbidden);
  }
}

TEST_P(SettingsApi, Answers401WithoutOrWithAWrongToken) {
  start();
  for (const auto& [method, path] : kRoutes) {
    EXPECT_EQ(client->request(method, path, "{}").status, 401) << method << ' ' << path;
    const auto wrong = client->request(method, path, "{}", {{"Authorization", "Bearer " + kToken + "x"}});
    EXPECT_EQ(wrong.status, 401) << method << ' ' << path;
    EXPECT_EQ(json::parse(wrong.body)["success"], false);
  }
}

TEST_P(SettingsApi, Answers503DatabaseNotInitializedBeforeSetup) {
  ServerProcess server(env_with(true), backend);
  server.start();
  const auto r = server.request("GET", "/api/settings", {}, kAuth);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["error"], "Database not initialized. Complete setup via POST /api/db/setup.");
  const auto health = server.request("GET", "/api/settings/health", {}, kAuth);
  EXPECT_EQ(health.status, 200);  // the key itself is there
}

TEST_P(SettingsApi, SetupCreatesEveryDefinedSettingWithSecretsMasked) {
  start();
  std::printf("[ measure ] POST /api/db/setup with settings: %.2f ms\n", setup_ms);
  const auto r = call("GET", "/api/settings");
  ASSERT_EQ(r.status, 200);
  const auto list = data(r);
  ASSERT_EQ(list.size(), 17u);
  for (const auto& s : list) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : s.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"key", "name", "value", "type", "description", "is_encrypted",
                                              "group_id", "created_at", "updated_at"}));
    if (s["is_encrypted"] == true) {
      EXPECT_EQ(s["value"], "********") << s;
    }
  }
  const auto port = data(call("GET", "/api/settings/smtp.port"));
  EXPECT_EQ(port["value"], 587);
  EXPECT_EQ(port["type"], "number");
  EXPECT_EQ(port["name"], "SMTP Port");
  EXPECT_EQ(port["group_id"], "smtp");
  EXPECT_TRUE(port["created_at"].get<std::string>().ends_with(".000Z"));
  EXPECT_EQ(data(call("GET", "/api/settings/global.enable_login"))["value"], true);
  EXPECT_EQ(call("GET", "/api/settings/nope.nope").body, R"({"success":false,"error":"Setting not found"})");
  EXPECT_EQ(call("GET", "/api/settings/nope.nope").status, 404);
}

TEST_P(SettingsApi, CreateValidatesAndMasks) {
  start();
  auto r = call("POST", "/api/settings", R"({"key":"api.key","value":"sk-live-123","type":"string","encrypted":true,"description":"d"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto created = data(r);
  EXPECT_EQ(created["value"], "********");
  EXPECT_EQ(created["is_encrypted"], true);
  EXPECT_TRUE(created["name"].is_null());
  EXPECT_TRUE(created["group_id"].is_null());
  EXPECT_EQ(data(call("GET", "/api/settings/api.key?reveal=true"))["value"], "sk-live-123");
  EXPECT_EQ(data(call("GET", "/api/settings/api.key"))["value"], "********");

  EXPECT_EQ(call("POST", "/api/settings", R"({"key":"api.key","value":"x","type":"string"})").status, 409);
  expect_validation_error(call("POST", "/api/settings", R"({"key":"n","value":"12","type":"number"})"), "value");
  expect_validation_error(call("POST", "/api/settings", R"({"key":"b","value":1,"type":"boolean"})"), "value");
  expect_validation_error(call("POST", "/api/settings", R"({"key":"b","type":"boolean"})"), "value");
  expect_validation_error(call("POST", "/api/settings", R"({"key":"a b","value":"x","type":"string"})"), "key");
  expect_validation_error(call("POST", "/api/settings", R"({"key":")" + std::string(256, 'k') + R"(","value":"x","type":"string"})"), "key");
  expect_validation_error(call("POST", "/api/settings", R"({"key":"x","value":"x","type":"text"})"), "type");
  expect_validation_error(call("POST", "/api/settings", R"({"key":"x","value":"x","type":"string","group_id":"nope"})"), "");
  for (const char* reserved : {"groups", "group", "search", "bulk", "categories", "health"}) {
    expect_validation_error(call("POST", "/api/settings", R"({"key":")" + std::string(reserved) + R"(","value":"x","type":"string"})"), "key");
    expect_validation_error(call("PUT", "/api/settings/" + std::string(reserved), R"({"value":"x"})"), "key");
    expect_validation_error(call("DELETE", "/api/settings/" + std::string(reserved)), "key");
  }
  expect_validation_error(call("GET", "/api/settings/search"), "key");
  EXPECT_EQ(data(call("POST", "/api/settings", R"({"key":"n.n","value":2.5,"type":"number","group_id":"smtp"})"))["value"], 2.5);
  EXPECT_EQ(client->request("POST", "/api/settings", "{", kAuth).status, 400);
  EXPECT_EQ(client->request("POST", "/api/settings", R"({})", {{"Authorization", "Bearer " + kToken}, {"content-type", "text/plain"}}).status, 415);
}

TEST_P(SettingsApi, UpdateKeepsEncryptionAndChecksTheStoredType) {
  start();
  auto r = call("PUT", "/api/settings/smtp.password", R"({"value":"p4ssw0rd!"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(data(r)["is_encrypted"], true);
  EXPECT_EQ(data(r)["value"], "********");
  EXPECT_EQ(data(call("GET", "/api/settings/smtp.password?reveal=true"))["value"], "p4ssw0rd!");
  EXPECT_TRUE(stored_value(*backend, "smtp.password").starts_with("v1:"));

  expect_validation_error(call("PUT", "/api/settings/smtp.port", R"({"value":"25"})"), "value");
  EXPECT_EQ(data(call("PUT", "/api/settings/smtp.port", R"({"value":25})"))["value"], 25);
  expect_validation_error(call("PUT", "/api/settings/smtp.port", R"({})"), "");
  EXPECT_EQ(call("PUT", "/api/settings/nope.nope", R"({"value":"x"})").status, 404);

  // encrypted:true encrypts the current value; description and group can change alone.
  r = call("PUT", "/api/settings/smtp.username", R"({"encrypted":true,"description":null})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(data(r)["is_encrypted"], true);
  EXPECT_TRUE(data(r)["description"].is_null());
  EXPECT_TRUE(stored_value(*backend, "smtp.username").starts_with("v1:"));
  EXPECT_EQ(data(call("PUT", "/api/settings/smtp.host", R"({"group_id":null})"))["group_id"], nullptr);
}

TEST_P(SettingsApi, SearchGroupsCategoriesHealthDelete) {
  start();
  call("POST", "/api/settings", R"({"key":"x_y","value":"","type":"string"})");
  call("POST", "/api/settings", R"({"key":"xzy","value":"","type":"string"})");
  auto found = data(call("POST", "/api/settings/search", R"({"pattern":"X_"})"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["key"], "x_y");
  EXPECT_EQ(data(call("POST", "/api/settings/search", R"({"pattern":"%"})")).size(), 0u);  // not a wildcard
  EXPECT_EQ(data(call("POST", "/api/settings/search", R"({"pattern":"SMTP.P"})")).size(), 2u);
  found = data(call("POST", "/api/settings/search", R"({"pattern":"password"})"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["value"], "********");
  expect_validation_error(call("POST", "/api/settings/search", R"({"pattern":5})"), "pattern");

  const auto groups = data(call("GET", "/api/settings/groups"));
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0]["id"], "global");
  EXPECT_EQ(groups[1]["id"], "smtp");
  EXPECT_EQ(groups[2]["id"], "github-oauth");
  EXPECT_EQ(groups[1]["settings"].size(), 7u);
  const auto smtp = data(call("GET", "/api/settings/group/smtp"));
  std::vector<std::string> keys;
  for (const auto& [k, v] : smtp.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "name", "description", "icon", "sort_order", "settings"}));
  EXPECT_EQ(smtp["icon"], "mail");
  EXPECT_EQ(call("GET", "/api/settings/group/nope").status, 404);
  EXPECT_EQ(data(call("GET", "/api/settings/categories")), json::array({"github-oauth", "global", "smtp"}));

  const auto health = data(call("GET", "/api/settings/health"));
  EXPECT_EQ(health["encryption_working"], true);
  EXPECT_TRUE(health["timestamp"].get<std::string>().ends_with("Z"));

  EXPECT_EQ(call("DELETE", "/api/settings/smtp.from_name").status, 200);
  EXPECT_EQ(call("DELETE", "/api/settings/smtp.from_name").status, 404);
  EXPECT_EQ(call("GET", "/api/settings/smtp.from_name").status, 404);
  EXPECT_EQ(data(call("GET", "/api/settings/group/smtp"))["settings"].size(), 6u);
}

TEST_P(SettingsApi, BulkAnswers200Or207Or400) {
  start();
  auto r = call("POST", "/api/settings/bulk",
                R"({"settings":[{"key":"smtp.host","value":"mail.example.com","type":"string"},
                                {"key":"new.one","value":true,"type":"boolean"},
                                {"key":"smtp.password","value":"bulk-pass","type":"string"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["data"]["created"], json::array({"new.one"}));
  EXPECT_EQ(j["data"]["updated"], json::array({"smtp.host", "smtp.password"}));
  EXPECT_EQ(j["errors"], json::array());
  EXPECT_EQ(data(call("GET", "/api/settings/smtp.password?reveal=true"))["value"], "bulk-pass");
  EXPECT_EQ(data(call("GET", "/api/settings/smtp.password"))["is_encrypted"], true);

  r = call("POST", "/api/settings/bulk",
           R"({"settings":[{"key":"ok.two","value":"x","type":"string"},{"key":"bad","value":"x","type":"number"}]})");
  EXPECT_EQ(r.status, 207) << r.body;
  j = json::parse(r.body);
  EXPECT_EQ(j["data"]["created"], json::array({"ok.two"}));
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_EQ(j["errors"][0]["key"], "bad");

  r = call("POST", "/api/settings/bulk", R"({"settings":[{"key":"health","value":"x","type":"string"},{"value":1}]})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json::parse(r.body)["errors"].size(), 2u);
  expect_validation_error(call("POST", "/api/settings/bulk", R"({"settings":[]})"), "settings");
  expect_validation_error(call("POST", "/api/settings/bulk", R"({})"), "settings");
}

TEST_P(SettingsApi, DatabaseNeverHoldsPlaintextSecrets) {
  start();
  const std::string secrets[] = {"my-own-API-token-777", "s3cr3t-smtp-PASSWORD-value", "gh-client-SECRET-value-42"};
  const auto expect_ciphertext_only = [&] {
    const auto raw = raw_files(*backend);
    ASSERT_FALSE(raw.empty());
    EXPECT_NE(raw.find("smtp.password"), std::string::npos);  // the files are the right ones
    for (const auto& s : secrets) EXPECT_EQ(raw.find(s), std::string::npos) << s;
    for (const auto& s : secrets) EXPECT_EQ(server->log().find(s), std::string::npos) << s;
  };
  ASSERT_EQ(call("POST", "/api/settings", R"({"key":"own.token","value":")" + secrets[0] + R"(","type":"string","encrypted":true})").status, 201);
  expect_ciphertext_only();
  ASSERT_EQ(call("PUT", "/api/settings/smtp.password", R"({"value":")" + secrets[1] + R"("})").status, 200);
  ASSERT_EQ(call("POST", "/api/settings/bulk", R"({"settings":[{"key":"github.oauth.client_secret","value":")" + secrets[2] + R"(","type":"string"}]})").status, 200);
  expect_ciphertext_only();
}

TEST_P(SettingsApi, SwappedCiphertextsBothFailWithTheDocumented500) {
  start();
  ASSERT_EQ(call("PUT", "/api/settings/smtp.password", R"({"value":"one"})").status, 200);
  ASSERT_EQ(call("PUT", "/api/settings/github.oauth.client_secret", R"({"value":"two"})").status, 200);
  const auto a = stored_value(*backend, "smtp.password");
  const auto b = stored_value(*backend, "github.oauth.client_secret");
  set_stored_value(*backend, "smtp.password", b);
  set_stored_value(*backend, "github.oauth.client_secret", a);
  for (const std::string key : {"smtp.password", "github.oauth.client_secret"}) {
    const auto r = call("GET", "/api/settings/" + key + "?reveal=true");
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.body, decrypt_failed(key));
  }
  EXPECT_EQ(data(call("GET", "/api/settings/smtp.password"))["value"], "********");  // masked reads still work
  EXPECT_EQ(data(call("GET", "/api/settings/health"))["encryption_working"], false);
}

TEST_P(SettingsApi, WithoutSecretSetupCreatesAKeyFileAndLosingItGives503) {
  start(/*secret=*/false);
  const auto key_file = server->dir() / "persistent_data" / "encryption.key";
  struct stat st {};
  ASSERT_EQ(::stat(key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(server->log().find("encryption.key") != std::string::npos);
  ASSERT_EQ(call("PUT", "/api/settings/smtp.password", R"({"value":"round-trip"})").status, 200);
  EXPECT_EQ(data(call("GET", "/api/settings/smtp.password?reveal=true"))["value"], "round-trip");

  // A restart reads the same key.
  server->restart();
  client = server->client();
  EXPECT_EQ(data(call("GET", "/api/settings/smtp.password?reveal=true"))["value"], "round-trip");

  // Without the key file: secrets are unavailable, everything else works.
  server->stop();
  std::filesystem::remove(key_file);
  server->start();
  client = server->client();
  EXPECT_FALSE(std::filesystem::exists(key_file));  // no new key over existing secrets
  auto r = call("GET", "/api/settings/smtp.password?reveal=true");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, kKeyUnavailable);
  r = call("PUT", "/api/settings/smtp.password", R"({"value":"new"})");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, kKeyUnavailable);
  r = call("POST", "/api/settings", R"({"key":"k.enc","value":"v","type":"string","encrypted":true})");
  EXPECT_EQ(r.body, kKeyUnavailable);
  EXPECT_EQ(data(call("GET", "/api/settings/health"))["encryption_working"], false);
  EXPECT_EQ(call("GET", "/api/settings").status, 200);
  EXPECT_EQ(data(call("GET", "/api/settings/smtp.password"))["value"], "********");
  EXPECT_EQ(data(call("PUT", "/api/settings/smtp.host", R"({"value":"still.works"})"))["value"], "still.works");
  EXPECT_EQ(call("POST", "/api/settings", R"({"key":"k.plain","value":"v","type":"string"})").status, 201);
  EXPECT_EQ(server->request("GET", "/api/db/status").body, status_ready(backend->type()));
}

TEST_P(SettingsApi, RotateKeyReencryptsEverySecret) {
  start();
  ASSERT_EQ(call("PUT", "/api/settings/smtp.password", R"({"value":"before-rotation"})").status, 200);
  const auto old_cipher = stored_value(*backend, "smtp.password");
  server->stop();

  server->env()["DEPLOYSTACK_NEW_ENCRYPTION_SECRET"] = "the-next-secret";
  const auto out = server->run_cli({"settings", "rotate-key"});
  ASSERT_EQ(out.status, 0) << out.out << server->log();
  EXPECT_NE(out.out.find("re-encrypted 2 secret(s)"), std::string::npos) << out.out;
  EXPECT_NE(stored_value(*backend, "smtp.password"), old_cipher);

  // Still the old secret: it does not match the rotated values, so secrets are refused.
  server->start();
  client = server->client();
  EXPECT_EQ(call("GET", "/api/settings/smtp.password?reveal=true").status, 503);
  server->stop();
  server->env()["DEPLOYSTACK_ENCRYPTION_SECRET"] = "the-next-secret";
  server->env().erase("DEPLOYSTACK_NEW_ENCRYPTION_SECRET");
  server->start();
  client = server->client();
  EXPECT_EQ(data(call("GET", "/api/settings/smtp.password?reveal=true"))["value"], "before-rotation");
  EXPECT_EQ(data(call("GET", "/api/settings/health"))["encryption_working"], true);
}

TEST_P(SettingsApi, RotateKeyToAKeyFile) {
  start();
  ASSERT_EQ(call("PUT", "/api/settings/smtp.password", R"({"value":"to-file"})").status, 200);
  server->stop();
  const auto out = server->run_cli({"settings", "rotate-key"});
  ASSERT_EQ(out.status, 0) << out.out << server->log();
  EXPECT_TRUE(std::filesystem::exists(server->dir() / "persistent_data" / "encryption.key"));
  server->env().erase("DEPLOYSTACK_ENCRYPTION_SECRET");
  server->start();
  client = server->client();
  EXPECT_EQ(data(call("GET", "/api/settings/smtp.password?reveal=true"))["value"], "to-file");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SettingsApi, ::testing::Values(&sqlite_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(Turso, SettingsApi, ::testing::Values(&turso_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV2, SettingsApi, ::testing::Values(&hrana_v2_backend),
                         ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV3, SettingsApi, ::testing::Values(&hrana_v3_backend),
                         ds::test::backend_name);

}  // namespace
}  // namespace ds::test
