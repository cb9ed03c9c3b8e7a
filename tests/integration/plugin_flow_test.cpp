// The plugin flow against the real binary: shared-library plugins installed under the
// server's PLUGINS_PATH, their tables migrated and seeded, upgraded, refused.
// Parametrised by database backend: the same flow runs on each one listed at the bottom.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "support/server_process.hpp"

namespace ds::test {
namespace {

namespace fs = std::filesystem;

// A build of the example plugin (plugins/example/CMakeLists.txt): "current" is the shipped
// version, the others are test variants.
fs::path plugin_build(const std::string& variant) {
  const fs::path builds = fs::path(DS_BINARY_PATH).parent_path() / "plugin-builds";
  if (variant == "current" || variant == "v1") return builds / variant / "example";
  if (variant == "clash") return builds / variant / "example_clash";
  return builds / variant / variant;
}

// Notes keyed by title: rows created in the same second have no guaranteed order.
std::map<std::string, nlohmann::json> by_title(const nlohmann::json& notes) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& n : notes) out[n["title"].get<std::string>()] = n;
  return out;
}

constexpr const char* kWelcome = "Welcome to the example plugin";

class PluginFlowTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  ServerProcess& server() { return server_; }

  // Installs a plugin build as <server dir>/plugins/<folder> (replacing what was there).
  void install(const std::string& variant, const std::string& folder = "example") {
    const auto from = plugin_build(variant);
    ASSERT_TRUE(fs::exists(from)) << from;
    const auto to = server_.dir() / "plugins" / folder;
    fs::remove_all(to);
    fs::create_directories(to.parent_path());
    fs::copy(from, to, fs::copy_options::recursive);
  }

  nlohmann::json get_json(const std::string& target) {
    const auto r = server_.request("GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return nlohmann::json::parse(r.body);
  }

  nlohmann::json post_note(const std::string& body) {
    const auto r = server_.request("POST", "/api/plugin/example/notes", body);
    EXPECT_EQ(r.status, 201) << r.body << "\n" << server_.log();
    return nlohmann::json::parse(r.body);
  }

  // Start-up must fail; returns the server's log.
  std::string failed_start() {
    EXPECT_THROW(server_.start(), std::runtime_error);
    return server_.log();
  }

  ServerProcess server_{{}, GetParam()()};
};

TEST_P(PluginFlowTest, ListsLoadedPlugins) {
  server().start();
  EXPECT_EQ(server().request("GET", "/api/plugins").body, "[]");
  server().stop();

  install("current");
  server().start();
  const auto list = get_json("/api/plugins");
  const auto expected = nlohmann::json::parse(
      R"([{"id":"example","name":"Example Plugin","version":"2.0.0","tables":["example_notes"],)"
      R"("settings":["example.greeting"]}])");
  EXPECT_EQ(list, expected);
  // Plugin routes exist before setup, and say why they cannot answer yet.
  EXPECT_EQ(server().request("GET", "/api/plugin/example/notes").status, 503);
}

TEST_P(PluginFlowTest, CoreDbCheckLeavesPluginTablesToTheirPlugin) {
  install("current");
  server().start();
  ASSERT_EQ(server().setup_database().status, 200) << server().log();
  ASSERT_EQ(server().stop(), 0);
  const auto check = server().run_cli({"db", "check"});
  EXPECT_EQ(check.status, 0) << check.out;
  EXPECT_EQ(check.out.find("example_notes"), std::string::npos) << check.out;
}

TEST_P(PluginFlowTest, SeedsOnceAndKeepsEveryRowAcrossRestarts) {
  install("current");
  server().start();
  ASSERT_EQ(server().setup_database().status, 200) << server().log();
  auto notes = get_json("/api/plugin/example/notes");
  ASSERT_EQ(notes.size(), 1u) << notes;
  EXPECT_EQ(notes[0]["id"], "example-welcome");

  post_note(R"({"title":"first","body":"one"})");
  post_note(R"({"title":"second"})");
  server().restart();
  server().restart();
  notes = get_json("/api/plugin/example/notes");
  ASSERT_EQ(notes.size(), 3u) << notes;  // the seed row once, both notes kept
  auto titles = by_title(notes);
  EXPECT_EQ(titles[kWelcome]["id"], "example-welcome");
  EXPECT_EQ(titles["first"]["body"], "one");
  EXPECT_TRUE(titles["second"]["body"].is_null());
}

TEST_P(PluginFlowTest, ReadsOneNoteAndSaysWhatIsWrongWithARequest) {
  install("current");
  server().start();
  ASSERT_EQ(server().setup_database().status, 200) << server().log();
  const auto created = post_note(R"({"title":"one","body":"text"})");
  const auto note = get_json("/api/plugin/example/notes/" + created["id"].get<std::string>());
  EXPECT_EQ(note, created);
  EXPECT_EQ(note["body"], "text");
  EXPECT_TRUE(note["projectId"].is_null());
  EXPECT_TRUE(note["createdAt"].is_string()) << note;
  EXPECT_EQ(get_json("/api/plugin/example/notes/example-welcome")["title"], kWelcome);

  const auto missing = server().request("GET", "/api/plugin/example/notes/nope");
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_NE(missing.body.find("Note not found"), std::string::npos) << missing.body;
  const auto no_title = server().request("POST", "/api/plugin/example/notes", R"({"body":"x"})");
  EXPECT_EQ(no_title.status, 400) << no_title.body;
  EXPECT_NE(no_title.body.find("title must be a non-empty string"), std::string::npos)
      << no_title.body;
  const auto bad_body =
      server().request("POST", "/api/plugin/example/notes", R"({"title":"x","body":1})");
  EXPECT_EQ(bad_body.status, 400) << bad_body.body;
  EXPECT_NE(bad_body.body.find("body must be a string or null"), std::string::npos)
      << bad_body.body;
}

TEST_P(PluginFlowTest, UpgradingV1ToV2KeepsRowsAndAddsTheColumn) {
  install("v1");
  server().start();
  ASSERT_EQ(server().setup_database().status, 200) << server().log();
  EXPECT_EQ(get_json("/api/plugins")[0]["version"], "1.0.0");
  const auto old_note = post_note(R"({"title":"written by v1"})");
  EXPECT_FALSE(old_note.contains("body"));
  server().stop();

  install("current");  // v2: one more column, one more migration
  server().start();
  EXPECT_EQ(get_json("/api/plugins")[0]["version"], "2.0.0");
  auto notes = get_json("/api/plugin/example/notes");
  ASSERT_EQ(notes.size(), 2u) << notes << server().log();
  auto titles = by_title(notes);
  EXPECT_EQ(titles["written by v1"]["id"], old_note["id"]);
  EXPECT_TRUE(titles["written by v1"].contains("body"));
  EXPECT_TRUE(titles["written by v1"]["body"].is_null());
  EXPECT_EQ(titles[kWelcome]["id"], "example-welcome");
  const auto new_note = post_note(R"({"title":"written by v2","body":"with a body"})");
  EXPECT_EQ(new_note["body"], "with a body");

  server().restart();  // nothing pending any more: same rows
  EXPECT_EQ(get_json("/api/plugin/example/notes").size(), 3u);
}

TEST_P(PluginFlowTest, ThePluginTableReferencesTheCoreProjects) {
  install("current");
  server().start();
  ASSERT_EQ(server().setup_database().status, 200) << server().log();
  const auto missing = server().request("POST", "/api/plugin/example/notes", R"({"title":"x","projectId":"nope"})");
  EXPECT_EQ(missing.status, 409) << missing.body;
  EXPECT_NE(missing.body.find("projectId must name an existing project"), std::string::npos)
      << missing.body;
  const auto project = server().request("POST", "/api/projects", R"({"name":"p"})");
  ASSERT_EQ(project.status, 201) << project.body;
  const auto id = nlohmann::json::parse(project.body)["id"].get<std::string>();
  EXPECT_EQ(post_note(R"({"title":"attached","projectId":")" + id + R"("})")["projectId"], id);
  // ON DELETE CASCADE: the note goes with its project.
  EXPECT_EQ(server().request("DELETE", "/api/projects/" + id).status, 204);
  EXPECT_EQ(by_title(get_json("/api/plugin/example/notes")).count("attached"), 0u);
}

TEST_P(PluginFlowTest, AFailingPluginLeavesTheCoreInitializedAndAsksForARestart) {
  install("current");
  fs::remove_all(server().dir() / "plugins" / "example" / "migrations");
  server().start();
  const auto setup = server().setup_database();
  ASSERT_EQ(setup.status, 200) << setup.body;
  EXPECT_EQ(nlohmann::json::parse(setup.body)["restart_required"], true) << setup.body;
  EXPECT_EQ(nlohmann::json::parse(server().request("GET", "/api/db/status").body)["initialized"], true);
  const auto r = server().request("GET", "/api/plugin/example/notes");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("Plugin 'example' is not available"), std::string::npos) << r.body;
  EXPECT_NE(server().log().find("plugin=example database initialization failed"), std::string::npos);
  EXPECT_EQ(server().request("GET", "/api/projects").status, 200);  // the core serves on
}

TEST_P(PluginFlowTest, AConflictingPluginStopsStartUpNamingBothOwners) {
  install("current", "example");
  install("clash", "example_clash");
  const auto log = failed_start();
  EXPECT_NE(log.find("setting key 'example.greeting' is claimed by plugin 'example'"), std::string::npos) << log;
  EXPECT_NE(log.find("by plugin 'example_clash'"), std::string::npos) << log;
}

TEST_P(PluginFlowTest, TheSamePluginTwiceStopsStartUpNamingBothFolders) {
  install("current", "a");
  install("current", "b");
  const auto log = failed_start();
  EXPECT_NE(log.find("plugin id 'example' is used by"), std::string::npos) << log;
  EXPECT_NE(log.find((fs::path("plugins") / "a" / "example.so").string()), std::string::npos) << log;
  EXPECT_NE(log.find((fs::path("plugins") / "b" / "example.so").string()), std::string::npos) << log;
}

TEST_P(PluginFlowTest, AWrongAbiIsRefusedAndSkippedWhenNotStrict) {
  install("current");
  install("wrong_abi", "wrong_abi");
  auto log = failed_start();
  EXPECT_NE(log.find("wrong_abi/example.so refused: it was built for plugin ABI version"), std::string::npos)
      << log;

  server().env()["PLUGINS_STRICT"] = "0";
  server().start();
  log = server().log();
  EXPECT_NE(log.find("starting without it (PLUGINS_STRICT=0)"), std::string::npos) << log;
  const auto list = get_json("/api/plugins");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], "example");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, PluginFlowTest, ::testing::Values(&sqlite_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(Turso, PluginFlowTest, ::testing::Values(&turso_backend), ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV2, PluginFlowTest, ::testing::Values(&hrana_v2_backend),
                         ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV3, PluginFlowTest, ::testing::Values(&hrana_v3_backend),
                         ds::test::backend_name);

}  // namespace
}  // namespace ds::test
