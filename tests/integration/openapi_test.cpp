// GET /documentation/json from the real binary, with the example plugin installed: the
// document names every route of the contract and the plugin's, every answer the server gives
// matches what the document says of its status, and a real OpenAPI validator accepts it.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/json_schema_check.hpp"
#include "support/server_process.hpp"
#include "support/subprocess.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

namespace fs = std::filesystem;

const std::string kAdminToken = "openapi-admin-token";
const std::string kPeers = std::string(DS_SOURCE_DIR) + "/tests/peers";

// The routes of shared/spec/api.md and of the example plugin, as OpenAPI writes them.
const std::set<std::pair<std::string, std::string>> kContractRoutes = {
    {"get", "/health"},
    {"get", "/ready"},
    {"get", "/metrics"},
    {"get", "/documentation/json"},
    {"get", "/api/db/status"},
    {"post", "/api/db/setup"},
    {"post", "/api/db/backup"},
    {"get", "/api/projects"},
    {"post", "/api/projects"},
    {"get", "/api/projects/{id}"},
    {"patch", "/api/projects/{id}"},
    {"delete", "/api/projects/{id}"},
    {"get", "/api/settings"},
    {"post", "/api/settings"},
    {"get", "/api/settings/{key}"},
    {"put", "/api/settings/{key}"},
    {"delete", "/api/settings/{key}"},
    {"post", "/api/settings/search"},
    {"post", "/api/settings/bulk"},
    {"get", "/api/settings/groups"},
    {"get", "/api/settings/group/{groupId}"},
    {"get", "/api/settings/categories"},
    {"get", "/api/settings/health"},
    {"get", "/api/plugins"},
    {"get", "/api/plugin/example/notes"},
    {"post", "/api/plugin/example/notes"},
    {"get", "/api/plugin/example/notes/{id}"},
};

// The shipped build of the example plugin, installed as <server dir>/plugins/example.
void install_example_plugin(const ServerProcess& server) {
  const fs::path from = fs::path(DS_BINARY_PATH).parent_path() / "plugin-builds/current/example";
  ASSERT_TRUE(fs::exists(from)) << from;
  const auto to = server.dir() / "plugins" / "example";
  fs::create_directories(to.parent_path());
  fs::copy(from, to, fs::copy_options::recursive);
}

// "/api/projects/{id}" -> "/api/projects/x": a value every parameter accepts.
std::string concrete(std::string path) {
  for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
    path.replace(open, path.find('}', open) - open + 1, "x");
  }
  return path;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    install_example_plugin(server_);
    server_.start();
    const auto r = server_.request("GET", "/documentation/json");
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.header("content-type"), kJsonContentType);
    body_ = r.body;
    doc_ = nlohmann::json::parse(r.body);
  }

  HttpResponse send(const std::string& method, const std::string& path,
                    const std::string& body = {}, bool admin = true) {
    Headers headers;
    if (admin) headers.emplace_back("Authorization", "Bearer " + kAdminToken);
    return server_.request(upper(method), path, body, headers);
  }

  // The answer matches what the document says of its status for (method, path).
  void expect_documented(const std::string& method, const std::string& path,
                         const HttpResponse& r) {
    SCOPED_TRACE(method + " " + path + " -> " + std::to_string(r.status) + " " + r.body);
    ASSERT_TRUE(doc_["paths"].contains(path));
    const auto& responses = doc_["paths"][path][method]["responses"];
    const auto status = std::to_string(r.status);
    ASSERT_TRUE(responses.contains(status)) << "status not documented";
    const auto& documented = responses[status];
    if (!documented.contains("content")) {
      EXPECT_TRUE(r.body.empty());
      return;
    }
    const auto& content = documented["content"];
    if (!content.contains("application/json")) {
      // Another format (the Prometheus text of /metrics): the type the document names.
      ASSERT_EQ(content.size(), 1u);
      EXPECT_EQ(r.header("content-type"), content.begin().key());
      EXPECT_FALSE(r.body.empty());
      return;
    }
    EXPECT_EQ(r.header("content-type"), kJsonContentType);
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << "not JSON";
    const auto problems =
        schema_problems(body, documented["content"]["application/json"]["schema"], doc_);
    for (const auto& p : problems) ADD_FAILURE() << p;
  }

  // Every documented operation, sent with an empty body and "x" for each parameter: the route
  // exists (never the router's 404/405) and its answer is documented.
  void probe_every_operation(bool admin) {
    for (const auto& [path, item] : doc_["paths"].items()) {
      for (const auto& [method, op] : item.items()) {
        const auto r = send(method, concrete(path), {}, admin);
        const auto json = nlohmann::json::parse(r.body, nullptr, false);
        EXPECT_FALSE(json.is_object() && json.contains("statusCode") &&
                     (r.status == 404 || r.status == 405))
            << method << " " << path << " is not routed: " << r.body;
        expect_documented(method, path, r);
      }
    }
  }

  ServerProcess server_{{{"DEPLOYSTACK_ADMIN_TOKEN", kAdminToken}}};
  std::string body_;
  nlohmann::json doc_;
};

TEST_F(OpenApiTest, DocumentsEveryRouteOfTheContractAndThePlugin) {
  EXPECT_EQ(doc_["openapi"], "3.1.0");
  EXPECT_FALSE(doc_["info"]["version"].get<std::string>().empty());
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : doc_["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      documented.emplace(method, path);
      EXPECT_FALSE(op.value("summary", "").empty()) << method << " " << path;
      // Each pattern parameter is a required path parameter.
      for (auto open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
        const auto name = path.substr(open + 1, path.find('}', open) - open - 1);
        bool found = false;
        for (const auto& p : op.value("parameters", nlohmann::json::array())) {
          found = found || (p["name"] == name && p["in"] == "path" && p["required"] == true);
        }
        EXPECT_TRUE(found) << method << " " << path << " lacks path parameter " << name;
      }
      // Every error answer has the one Error schema (anywhere in its schema).
      for (const auto& [status, response] : op["responses"].items()) {
        if (status == "default" || status.front() < '4') continue;
        if ((path == "/ready" && status == "503") || (path == "/api/db/setup" && status == "409"))
          continue;  // not error bodies: a readiness report and the setup state
        EXPECT_NE(response.dump().find("#/components/schemas/Error"), std::string::npos)
            << method << " " << path << " " << status;
      }
    }
  }
  EXPECT_EQ(documented, kContractRoutes);
  EXPECT_TRUE(doc_["components"]["schemas"].contains("Error"));

  // Built once: the same bytes every time; other methods get the router's 405.
  EXPECT_EQ(server_.request("GET", "/documentation/json").body, body_);
  const auto post = server_.request("POST", "/documentation/json");
  expect_status_error(post, 405, "Method Not Allowed");
  EXPECT_EQ(post.header("allow"), "GET, HEAD");
}

TEST_F(OpenApiTest, EveryAnswerMatchesTheDocumentBeforeAndAfterSetup) {
  probe_every_operation(/*admin=*/false);
  probe_every_operation(/*admin=*/true);
  ASSERT_EQ(server_.setup_database().status, 200);
  probe_every_operation(/*admin=*/false);
  probe_every_operation(/*admin=*/true);
}

// The original backend's setting that hides the document; a change applies without a restart.
TEST_F(OpenApiTest, TheEnableSwaggerDocsSettingHidesAndShowsTheDocument) {
  ASSERT_EQ(server_.setup_database().status, 200);
  const std::string path = "/api/settings/global.enable_swagger_docs";
  ASSERT_EQ(send("put", path, R"({"value":false})").status, 200);
  const auto hidden = server_.request("GET", "/documentation/json");
  expect_status_error(hidden, 404, "Not Found");
  expect_documented("get", "/documentation/json", hidden);
  ASSERT_EQ(send("put", path, R"({"value":true})").status, 200);
  const auto shown = server_.request("GET", "/documentation/json");
  EXPECT_EQ(shown.status, 200);
  EXPECT_EQ(shown.body, body_);
}

TEST_F(OpenApiTest, RealRequestsMatchTheirDocumentedSchemas) {
  expect_documented("get", "/api/db/status", send("get", "/api/db/status"));
  expect_documented("post", "/api/db/setup", send("post", "/api/db/setup", R"({"type":"mysql"})"));
  expect_documented("get", "/api/projects", send("get", "/api/projects"));  // 503 before setup

  const auto setup = send("post", "/api/db/setup", R"({"type":"sqlite"})");
  EXPECT_EQ(setup.status, 200);
  expect_documented("post", "/api/db/setup", setup);
  expect_documented("post", "/api/db/setup", send("post", "/api/db/setup", R"({"type":"sqlite"})"));
  expect_documented("get", "/api/db/status", send("get", "/api/db/status"));
  expect_documented("get", "/ready", send("get", "/ready"));

  const auto created = send("post", "/api/projects", R"({"name":"docs","description":null})");
  EXPECT_EQ(created.status, 201);
  expect_documented("post", "/api/projects", created);
  const auto id = nlohmann::json::parse(created.body)["id"].get<std::string>();
  expect_documented("post", "/api/projects", send("post", "/api/projects", R"({"name":""})"));
  expect_documented("post", "/api/projects", send("post", "/api/projects", "{", {}));
  const auto list = send("get", "/api/projects?limit=10");
  EXPECT_EQ(list.status, 200);
  expect_documented("get", "/api/projects", list);
  expect_documented("get", "/api/projects", send("get", "/api/projects?limit=0"));
  expect_documented("get", "/api/projects/{id}", send("get", "/api/projects/" + id));
  const auto missing = send("get", "/api/projects/nope");
  EXPECT_EQ(missing.status, 404);
  expect_documented("get", "/api/projects/{id}", missing);
  expect_documented("patch", "/api/projects/{id}",
                    send("patch", "/api/projects/" + id, R"({"name":"renamed"})"));
  expect_documented("patch", "/api/projects/{id}", send("patch", "/api/projects/" + id, "{}"));

  const auto bad_key =
      send("post", "/api/settings", R"({"key":"no spaces","value":"v","type":"string"})");
  EXPECT_EQ(bad_key.status, 400);
  expect_documented("post", "/api/settings", bad_key);
  const auto setting =
      send("post", "/api/settings", R"({"key":"docs.x","value":3,"type":"number"})");
  EXPECT_EQ(setting.status, 201);
  expect_documented("post", "/api/settings", setting);
  expect_documented("post", "/api/settings",
                    send("post", "/api/settings", R"({"key":"docs.x","value":3,"type":"number"})"));
  expect_documented("get", "/api/settings", send("get", "/api/settings"));
  expect_documented("get", "/api/settings/{key}", send("get", "/api/settings/docs.x"));
  expect_documented("put", "/api/settings/{key}",
                    send("put", "/api/settings/docs.x", R"({"value":4})"));
  expect_documented("get", "/api/settings/groups", send("get", "/api/settings/groups"));
  expect_documented("get", "/api/settings/group/{groupId}",
                    send("get", "/api/settings/group/global"));
  expect_documented("get", "/api/settings/categories", send("get", "/api/settings/categories"));
  expect_documented("get", "/api/settings/health", send("get", "/api/settings/health"));
  expect_documented(
      "post", "/api/settings/bulk",
      send("post", "/api/settings/bulk",
           R"({"settings":[{"key":"docs.y","value":true,"type":"boolean"},{"key":"bad key"}]})"));
  expect_documented("get", "/api/settings", send("get", "/api/settings", {}, /*admin=*/false));

  const auto note =
      send("post", "/api/plugin/example/notes", R"({"title":"documented","body":"b"})");
  EXPECT_EQ(note.status, 201);
  expect_documented("post", "/api/plugin/example/notes", note);
  expect_documented("get", "/api/plugin/example/notes", send("get", "/api/plugin/example/notes"));
  expect_documented("get", "/api/plugins", send("get", "/api/plugins"));
  expect_documented("delete", "/api/projects/{id}", send("delete", "/api/projects/" + id));
}

std::string node() {
  return find_on_path("node");
}

// A missing node or validator fails: the document is only known valid once it was checked.
TEST_F(OpenApiTest, ASwaggerParserValidatesTheDocument) {
  const auto node_path = node();
  ASSERT_FALSE(node_path.empty()) << "node is not on PATH: install Node.js 20+";
  ASSERT_TRUE(fs::exists(kPeers + "/node_modules/@apidevtools/swagger-parser"))
      << "the validator is not installed: run scripts/setup-test-peers.sh";
  const auto file = server_.dir() / "openapi.json";
  { std::ofstream(file) << body_; }
  const auto r = run_command({{node_path, kPeers + "/validate_openapi.mjs", file.string()},
                              {},
                              server_.dir(),
                              server_.dir() / "validator.txt"});
  std::ifstream err(server_.dir() / "validator.txt");
  const std::string messages((std::istreambuf_iterator<char>(err)),
                             std::istreambuf_iterator<char>());
  EXPECT_EQ(r.status, 0) << r.out << messages;
  EXPECT_NE(r.out.find("valid OpenAPI 3.1.0"), std::string::npos) << r.out << messages;
}

}  // namespace
}  // namespace ds::test
