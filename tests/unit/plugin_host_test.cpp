#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "http/errors.hpp"
#include "plugins/plugin_host.hpp"
#include "plugins/shared_library.hpp"
#include "support/temp_dir.hpp"

namespace ds::plugins {
namespace {

constexpr settings::SettingDefinition kSettings[] = {{.key = "fake.color", .name = "Color"}};

// A built-in plugin whose behaviour each test sets.
struct FakePlugin : Plugin {
  std::string id = "fake";
  bool seed_throws = false;
  std::vector<std::string>* shutdowns = nullptr;

  Metadata metadata() const override { return {id, "Fake " + id, "0.1.0", "for tests"}; }
  DatabaseExtension database_extension() const override {
    DatabaseExtension ext;
    db::schema::Table t;
    t.name = id + "_items";
    ext.tables.push_back(t);
    ext.on_database_init = [id = id, fail = seed_throws](db::Transaction& db) {
      db.execute("INSERT INTO " + id + "_items (id) VALUES ('seed') ON CONFLICT(id) DO NOTHING");
      if (fail) throw std::runtime_error("seed exploded");
    };
    return ext;
  }
  SettingsExtension global_settings_extension() const override {
    if (id != "fake") return {};
    return {{{.group = {.id = "fake", .name = "Fake"}, .settings = kSettings, .source = "x"}}};
  }
  void register_routes(Routes& routes) override {
    routes.add(http::Method::get, "/items", [db = routes.database()](const http::Request&) {
      db.get();
      return http::Response::json(200, "[]");
    });
  }
  void shutdown() noexcept override {
    if (shutdowns) shutdowns->push_back(id);
  }
};

PluginFactory fake(std::string id, bool seed_throws = false, std::vector<std::string>* shutdowns = nullptr) {
  return [=] {
    auto p = new FakePlugin();
    p->id = id;
    p->seed_throws = seed_throws;
    p->shutdowns = shutdowns;
    return PluginPtr(p);
  };
}

// What the migration engine would do for these tables (the engine has its own tests).
void create_tables(db::Connection& db, const LoadedPlugin& plugin) {
  for (const auto& t : plugin.database.tables) {
    db.execute("CREATE TABLE IF NOT EXISTS " + t.name + " (id TEXT PRIMARY KEY)");
  }
}

class PluginHostTest : public ::testing::Test {
 protected:
  HostOptions options() const { return {tmp_ / "plugins", true}; }
  Claims core() const { return {"core", {}, {"projects"}, {"global.page_url"}, {"global"}}; }
  test::TempDir tmp_;
};

TEST_F(PluginHostTest, ListsEveryPluginWithItsTablesAndSettings) {
  PluginHost host(options(), {fake("fake"), fake("other")}, core());
  EXPECT_EQ(host.list_json(),
            R"([{"id":"fake","name":"Fake fake","version":"0.1.0","tables":["fake_items"],"settings":["fake.color"]},)"
            R"({"id":"other","name":"Fake other","version":"0.1.0","tables":["other_items"],"settings":[]}])");
  ASSERT_EQ(host.settings_modules().size(), 1u);
  // The module names its plugin, so that the settings registry's errors do too.
  EXPECT_EQ(host.settings_modules()[0]->source, "plugin 'fake' (built-in)");
}

TEST_F(PluginHostTest, NoPluginsListsAnEmptyArray) {
  PluginHost host(options(), {}, core());
  EXPECT_EQ(host.list_json(), "[]");
}

TEST_F(PluginHostTest, AConflictWithTheCoreStopsConstruction) {
  auto claims = core();
  claims.setting_keys.push_back("fake.color");
  try {
    PluginHost host(options(), {fake("fake")}, claims);
    FAIL() << "expected a conflict";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("claimed by core and by plugin 'fake' (built-in)"), std::string::npos)
        << e.what();
  }
}

TEST_F(PluginHostTest, AFailingPluginIsNamedAndLeavesTheOthersInitialized) {
  auto db = db::open_sqlite(tmp_ / "test.db", db::OpenMode::create_if_missing);
  PluginHost host(options(), {fake("good"), fake("bad", /*seed_throws=*/true)}, core());
  try {
    host.initialize_database(*db, create_tables);
    FAIL() << "expected the failing plugin to be reported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("good"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(host.find("good")->database_ready->load());
  EXPECT_FALSE(host.find("bad")->database_ready->load());
  // The failed seed ran in a transaction: none of it stays.
  const auto bad = db->execute("SELECT count(*) FROM bad_items");
  EXPECT_EQ(std::get<std::int64_t>(bad.cells[0]), 0);
  const auto good = db->execute("SELECT count(*) FROM good_items");
  EXPECT_EQ(std::get<std::int64_t>(good.cells[0]), 1);

  // Idempotent: a second run (the next start) seeds nothing twice.
  EXPECT_THROW(host.initialize_database(*db, create_tables), Error);
  EXPECT_EQ(std::get<std::int64_t>(db->execute("SELECT count(*) FROM good_items").cells[0]), 1);
}

TEST_F(PluginHostTest, RoutesLiveUnderThePluginPrefixAndWaitForTheDatabase) {
  auto db = db::open_sqlite(tmp_ / "test.db", db::OpenMode::create_if_missing);
  std::shared_ptr<db::Connection> live;
  PluginHost host(options(), {fake("fake")}, core());
  http::Router router;
  host.register_routes(router, [&live] { return live; });

  const auto match = router.match(http::Method::get, "/api/plugin/fake/items");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(router.match(http::Method::get, "/items").route, nullptr);

  auto status_of = [&] {
    try {
      return match.route->handler(http::Request{}).status;
    } catch (const http::HttpError& e) {
      return e.response().status;
    }
  };
  EXPECT_EQ(status_of(), 503);  // no database yet
  live = db;
  EXPECT_EQ(status_of(), 503);  // database, but the plugin's tables are not initialized
  host.initialize_database(*db, create_tables);
  EXPECT_EQ(status_of(), 200);
}

TEST_F(PluginHostTest, ShutdownRunsOnceInReverseOrder) {
  std::vector<std::string> calls;
  {
    PluginHost host(options(), {fake("a", false, &calls), fake("b", false, &calls)}, core());
    host.shutdown();
  }
  EXPECT_EQ(calls, (std::vector<std::string>{"b", "a"}));
}

// --- shared libraries -------------------------------------------------------------------

std::filesystem::path variant(const std::string& name) {
  return std::filesystem::path(DS_BINARY_PATH).parent_path() / "plugin-builds" / name;
}

TEST_F(PluginHostTest, FindsOneLibraryPerFolder) {
  namespace fs = std::filesystem;
  fs::create_directories(tmp_ / "plugins" / "b");
  fs::create_directories(tmp_ / "plugins" / "a");
  fs::create_directories(tmp_ / "plugins" / "sources_only");
  std::ofstream(tmp_ / "plugins" / "b" / "b.so") << "x";
  std::ofstream(tmp_ / "plugins" / "a" / "a.so") << "x";
  std::ofstream(tmp_ / "plugins" / "loose.so") << "x";
  const auto found = find_plugin_libraries(tmp_ / "plugins");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], tmp_ / "plugins" / "a" / "a.so");
  EXPECT_EQ(found[1], tmp_ / "plugins" / "b" / "b.so");

  std::ofstream(tmp_ / "plugins" / "a" / "second.so") << "x";
  EXPECT_THROW(find_plugin_libraries(tmp_ / "plugins"), Error);
  EXPECT_TRUE(find_plugin_libraries(tmp_ / "missing").empty());
}

TEST_F(PluginHostTest, ALibraryThatIsNotOneIsRefusedByPath) {
  std::filesystem::create_directories(tmp_ / "plugins" / "junk");
  std::ofstream(tmp_ / "plugins" / "junk" / "junk.so") << "not an ELF file";
  try {
    PluginHost host(options(), {}, core());
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("junk.so refused: cannot be loaded"), std::string::npos) << e.what();
  }
  // Not strict: the server goes on without it.
  PluginHost host({tmp_ / "plugins", false}, {fake("fake")}, core());
  EXPECT_EQ(host.plugins().size(), 1u);
}

TEST_F(PluginHostTest, ALibraryForAnotherAbiIsRefusedWithBothVersions) {
  const auto library = variant("wrong_abi") / "wrong_abi" / "example.so";
  ASSERT_TRUE(std::filesystem::exists(library)) << library;
  try {
    load_shared_library(library);
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("built for plugin ABI version " + std::to_string(kAbiVersion + 1)), std::string::npos) << msg;
    EXPECT_NE(msg.find("this server speaks version " + std::to_string(kAbiVersion)), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace ds::plugins
