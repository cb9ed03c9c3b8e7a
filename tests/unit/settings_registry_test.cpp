#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/error.hpp"
#include "settings/modules/modules.hpp"
#include "settings/registry.hpp"

namespace ds::settings {
namespace {

// True when `text` contains `part` (gtest without gmock).
::testing::AssertionResult Has(const std::string& text, std::string_view part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' lacks '" << part << "'";
}

TEST(SettingsRegistry, BuiltinModulesDeclareTheOriginalGroups) {
  const auto r = Registry::builtin();
  std::set<std::string_view> groups;
  for (const auto* m : r.modules()) groups.insert(m->group.id);
  EXPECT_EQ(groups, (std::set<std::string_view>{"global", "smtp", "github-oauth"}));
  for (const auto* key : {"global.page_url", "global.enable_login", "global.enable_email_registration",
                          "global.enable_swagger_docs", "global.show_version", "smtp.host",
                          "smtp.port", "smtp.username", "smtp.password", "smtp.secure",
                          "smtp.from_name", "smtp.from_email", "github.oauth.client_id",
                          "github.oauth.client_secret", "github.oauth.enabled",
                          "github.oauth.callback_url", "github.oauth.scope"}) {
    EXPECT_NE(r.find(key), nullptr) << key;
  }
  EXPECT_EQ(r.setting_count(), 17u);
  EXPECT_TRUE(r.find("smtp.password")->encrypted);
  EXPECT_TRUE(r.find("github.oauth.client_secret")->encrypted);
  EXPECT_FALSE(r.find("smtp.host")->encrypted);
  EXPECT_EQ(r.find("smtp.port")->type, SettingType::number);
  EXPECT_EQ(r.group_of("smtp.port")->id, "smtp");
  EXPECT_EQ(r.find("nope"), nullptr);
}

// A module file that is not in all_modules() would silently never register.
TEST(SettingsRegistry, EveryModuleFileIsListed) {
  std::set<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(DS_SOURCE_DIR "/src/settings/modules")) {
    const auto name = e.path().filename().string();
    if (e.path().extension() == ".cpp" && name != "all_modules.cpp") files.insert(name);
  }
  std::set<std::string> listed;
  for (const auto* m : modules::all_modules()) {
    listed.insert(std::filesystem::path(m->source).filename().string());
  }
  EXPECT_EQ(files, listed);
}

constexpr SettingDefinition kA[] = {{.key = "a.one", .name = "One"}};
constexpr SettingDefinition kB[] = {{.key = "a.one", .name = "Again"}};
constexpr SettingDefinition kBadDefault[] = {
    {.key = "c.n", .type = SettingType::number, .default_value = "many"}};
constexpr SettingDefinition kBadKey[] = {{.key = "has space"}};

const Module kModA{.group = {.id = "a", .name = "A"}, .settings = kA, .source = "/x/src/settings/modules/a.cpp"};
const Module kModB{.group = {.id = "b", .name = "B"}, .settings = kB, .source = "/x/src/plugins/b.cpp"};
const Module kModA2{.group = {.id = "a", .name = "A2"}, .settings = {}, .source = "/x/src/plugins/a2.cpp"};

std::string build_error(std::initializer_list<const Module*> mods) {
  const std::vector<const Module*> list(mods);
  try {
    Registry::build(list);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::validation);
    return e.what();
  }
  return "";
}

TEST(SettingsRegistry, DuplicateKeyNamesBothPlaces) {
  const auto msg = build_error({&kModA, &kModB});
  EXPECT_TRUE(Has(msg, "key 'a.one'"));
  EXPECT_TRUE(Has(msg, "src/settings/modules/a.cpp"));
  EXPECT_TRUE(Has(msg, "src/plugins/b.cpp"));
}

TEST(SettingsRegistry, DuplicateGroupNamesBothPlaces) {
  const auto msg = build_error({&kModA, &kModA2});
  EXPECT_TRUE(Has(msg, "group 'a'"));
  EXPECT_TRUE(Has(msg, "src/settings/modules/a.cpp"));
  EXPECT_TRUE(Has(msg, "src/plugins/a2.cpp"));
}

TEST(SettingsRegistry, RejectsBadDefaultsAndKeys) {
  const Module bad_default{.group = {.id = "c"}, .settings = kBadDefault, .source = "c.cpp"};
  EXPECT_TRUE(Has(build_error({&bad_default}), "default of setting 'c.n'"));
  const Module bad_key{.group = {.id = "d"}, .settings = kBadKey, .source = "d.cpp"};
  EXPECT_TRUE(Has(build_error({&bad_key}), "not a valid key"));
}

TEST(SettingsRegistry, KeyRule) {
  EXPECT_TRUE(is_valid_key("smtp.host"));
  EXPECT_TRUE(is_valid_key("A-b_c.9"));
  EXPECT_TRUE(is_valid_key(std::string(255, 'a')));
  EXPECT_FALSE(is_valid_key(std::string(256, 'a')));
  EXPECT_FALSE(is_valid_key(""));
  EXPECT_FALSE(is_valid_key("a b"));
  EXPECT_FALSE(is_valid_key("a/b"));
  EXPECT_FALSE(is_valid_key("é"));
}

}  // namespace
}  // namespace ds::settings
