#include <gtest/gtest.h>

#include "core/error.hpp"
#include "plugins/claims.hpp"

namespace ds::plugins {
namespace {

constexpr settings::SettingDefinition kGreeting[] = {{.key = "demo.greeting", .name = "Greeting"}};

db::schema::Table table(std::string name, std::string fk_to = {}) {
  db::schema::Table t;
  t.name = std::move(name);
  db::schema::Column id;
  id.name = "id";
  id.type = "text";
  id.primary_key = id.not_null = true;
  t.columns.push_back(id);
  if (!fk_to.empty()) {
    t.foreign_keys.push_back({.name = "fk", .table_from = t.name, .table_to = fk_to,
                              .columns_from = {"ref"}, .columns_to = {"id"}});
  }
  return t;
}

Claims claims_of(const std::string& id, std::vector<db::schema::Table> tables,
                 std::vector<settings::Module> modules = {}) {
  DatabaseExtension db;
  db.tables = std::move(tables);
  SettingsExtension settings{std::move(modules)};
  const std::vector<std::string> core_tables = {"projects"};
  return plugin_claims(Metadata{id, "", "", ""}, "plugin '" + id + "' (test)", db, settings, core_tables);
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::validation);
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return {};
}

TEST(PluginClaims, IdsFollowTheRule) {
  EXPECT_TRUE(is_valid_plugin_id("example"));
  EXPECT_TRUE(is_valid_plugin_id("a1_b2"));
  EXPECT_FALSE(is_valid_plugin_id(""));
  EXPECT_FALSE(is_valid_plugin_id("Example"));
  EXPECT_FALSE(is_valid_plugin_id("1abc"));
  EXPECT_FALSE(is_valid_plugin_id("a-b"));
  EXPECT_FALSE(is_valid_plugin_id("a/../b"));
  EXPECT_FALSE(is_valid_plugin_id(std::string(33, 'a')));
  const auto msg = message_of([] { claims_of("Bad-Id", {}); });
  EXPECT_NE(msg.find("Bad-Id"), std::string::npos) << msg;
}

TEST(PluginClaims, TablesMustCarryThePluginPrefix) {
  EXPECT_NO_THROW(claims_of("demo", {table("demo_items")}));
  const auto msg = message_of([] { claims_of("demo", {table("items")}); });
  EXPECT_NE(msg.find("'items'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("demo_"), std::string::npos) << msg;
  EXPECT_ANY_THROW(claims_of("demo", {table("demo_")}));
}

TEST(PluginClaims, ForeignKeysPointAtCoreOrOwnTables) {
  EXPECT_NO_THROW(claims_of("demo", {table("demo_items", "projects")}));
  EXPECT_NO_THROW(claims_of("demo", {table("demo_a"), table("demo_b", "demo_a")}));
  const auto msg = message_of([] { claims_of("demo", {table("demo_items", "other_things")}); });
  EXPECT_NE(msg.find("other_things"), std::string::npos) << msg;
}

TEST(PluginClaims, ASettingKeyOfTheCoreNamesBothOwnersCoreFirst) {
  Claims core{"core", {}, {"projects"}, {"demo.greeting"}, {"global"}};
  const auto plugin = claims_of("demo", {}, {{.group = {.id = "demo"}, .settings = kGreeting}});
  const std::vector<Claims> all = {core, plugin};
  const auto msg = message_of([&] { check_claims(all); });
  EXPECT_NE(msg.find("setting key 'demo.greeting' is claimed by core and by plugin 'demo' (test)"),
            std::string::npos)
      << msg;
}

TEST(PluginClaims, TwoPluginsClaimingOneNameAreNamedBoth) {
  Claims core{"core", {}, {"projects"}, {}, {}};
  // "a" + "_b_items" and "a_b" + "_items": the prefix rule alone cannot prevent this clash.
  const std::vector<Claims> tables = {core, claims_of("a", {table("a_b_items")}),
                                      claims_of("a_b", {table("a_b_items")})};
  auto msg = message_of([&] { check_claims(tables); });
  EXPECT_NE(msg.find("table 'a_b_items' is claimed by plugin 'a' (test) and by plugin 'a_b' (test)"),
            std::string::npos)
      << msg;

  const std::vector<Claims> ids = {core, claims_of("demo", {}), claims_of("demo", {})};
  msg = message_of([&] { check_claims(ids); });
  EXPECT_NE(msg.find("plugin id 'demo' is used by"), std::string::npos) << msg;

  const std::vector<Claims> keys = {
      core, claims_of("one", {}, {{.group = {.id = "one"}, .settings = kGreeting}}),
      claims_of("two", {}, {{.group = {.id = "two"}, .settings = kGreeting}})};
  msg = message_of([&] { check_claims(keys); });
  EXPECT_NE(msg.find("'demo.greeting' is claimed by plugin 'one' (test) and by plugin 'two' (test)"),
            std::string::npos)
      << msg;
}

TEST(PluginClaims, DistinctClaimsPass) {
  Claims core{"core", {}, {"projects"}, {"global.page_url"}, {"global"}};
  const std::vector<Claims> all = {
      core, claims_of("one", {table("one_items", "projects")}, {{.group = {.id = "one"}, .settings = kGreeting}}),
      claims_of("two", {table("two_items")})};
  EXPECT_NO_THROW(check_claims(all));
}

}  // namespace
}  // namespace ds::plugins
