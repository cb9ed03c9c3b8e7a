#include "core/env.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "core/config.hpp"
#include "core/error.hpp"
#include "support/temp_dir.hpp"

namespace ds {
namespace {

Errc error_code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "expected a ds::Error";
  return Errc::internal;
}

std::string error_message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ds::Error";
  return {};
}

TEST(Dotenv, ParsesPlainExportedQuotedAndCommentedLines) {
  const auto vars = parse_dotenv(
      "# a comment\n"
      "\n"
      "PLAIN=value\n"
      "export EXPORTED=yes\n"
      "  SPACED  =  around  \n"
      "DOUBLE=\"a # not a comment\"\n"
      "SINGLE='single # quoted'\n"
      "INLINE=kept # dropped\n"
      "URL=libsql://db.example?x=1&y=2\n"
      "EMPTY=\n"
      "CRLF=windows\r\n");
  EXPECT_EQ(vars.at("PLAIN"), "value");
  EXPECT_EQ(vars.at("EXPORTED"), "yes");
  EXPECT_EQ(vars.at("SPACED"), "around");
  EXPECT_EQ(vars.at("DOUBLE"), "a # not a comment");
  EXPECT_EQ(vars.at("SINGLE"), "single # quoted");
  EXPECT_EQ(vars.at("INLINE"), "kept");
  EXPECT_EQ(vars.at("URL"), "libsql://db.example?x=1&y=2");
  EXPECT_EQ(vars.at("EMPTY"), "");
  EXPECT_EQ(vars.at("CRLF"), "windows");
  EXPECT_EQ(vars.size(), 9u);
}

TEST(Dotenv, TheLastDefinitionWins) {
  EXPECT_EQ(parse_dotenv("A=1\nA=2\n").at("A"), "2");
}

TEST(Dotenv, MalformedLinesAreErrorsNamingTheLine) {
  EXPECT_EQ(error_code_of([] { parse_dotenv("A=1\nno equals sign\n"); }), Errc::validation);
  EXPECT_NE(error_message_of([] { parse_dotenv("A=1\nno equals sign\n"); }).find("line 2"), std::string::npos);
  EXPECT_NE(error_message_of([] { parse_dotenv("A=1\nB=2\nC=\"open\n"); }).find("line 3"), std::string::npos);
  EXPECT_EQ(error_code_of([] { parse_dotenv("1ABC=x\n"); }), Errc::validation);
  EXPECT_EQ(error_code_of([] { parse_dotenv("=x\n"); }), Errc::validation);
  EXPECT_EQ(error_code_of([] { parse_dotenv("A-B=x\n"); }), Errc::validation);
}

TEST(Env, ProcessEnvironmentWinsOverTheFile) {
  test::TempDir dir;
  std::ofstream(dir / ".env") << "DS_ENV_TEST_BOTH=from-file\nDS_ENV_TEST_FILE_ONLY=file\n";
  ::setenv("DS_ENV_TEST_BOTH", "from-env", 1);
  ::setenv("DS_ENV_TEST_ENV_ONLY", "env", 1);
  const Env env = Env::load(dir / ".env");
  EXPECT_EQ(env.get("DS_ENV_TEST_BOTH"), "from-env");
  EXPECT_EQ(env.get("DS_ENV_TEST_FILE_ONLY"), "file");
  EXPECT_EQ(env.get("DS_ENV_TEST_ENV_ONLY"), "env");
  EXPECT_EQ(env.get("DS_ENV_TEST_NOWHERE"), std::nullopt);
  ::unsetenv("DS_ENV_TEST_BOTH");
  ::unsetenv("DS_ENV_TEST_ENV_ONLY");
}

TEST(Env, AMissingFileIsNoError) {
  test::TempDir dir;
  EXPECT_NO_THROW(Env::load(dir / "absent.env"));
}

TEST(Env, AMalformedFileIsAnError) {
  test::TempDir dir;
  std::ofstream(dir / ".env") << "GOOD=1\nbad line\n";
  EXPECT_EQ(error_code_of([&] { Env::load(dir / ".env"); }), Errc::validation);
}

TEST(Env, EmptyIsUnset) {
  const Env env = Env::from_map({{"EMPTY", ""}, {"SET", "x"}});
  EXPECT_EQ(env.get("EMPTY"), std::nullopt);
  EXPECT_EQ(env.get("SET"), "x");
}

TEST(Config, Defaults) {
  const Config c = Config::from_env(Env::from_map({}));
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 3000);
  EXPECT_EQ(c.sqlite_path, "persistent_data/database/deploystack.db");
  EXPECT_EQ(c.selection_file(), "persistent_data/db.selection.json");
  EXPECT_FALSE(c.db_type);
  EXPECT_FALSE(c.setup_token);
  EXPECT_EQ(c.log_level, "info");
}

TEST(Config, ReadsEveryVariable) {
  const Config c = Config::from_env(Env::from_map({{"HOST", "0.0.0.0"},
                                                   {"PORT", "0"},
                                                   {"SQLITE_DB_PATH", "/tmp/x.db"},
                                                   {"DB_TYPE", "turso"},
                                                   {"TURSO_DATABASE_URL", "libsql://x"},
                                                   {"TURSO_AUTH_TOKEN", "tok"},
                                                   {"DEPLOYSTACK_SETUP_TOKEN", "setup"},
                                                   {"LOG_LEVEL", "debug"}}));
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.sqlite_path, "/tmp/x.db");
  EXPECT_EQ(c.db_type, DatabaseType::turso);
  EXPECT_EQ(c.turso.url, "libsql://x");
  EXPECT_EQ(c.turso.token->reveal(), "tok");
  EXPECT_EQ(c.setup_token->reveal(), "setup");
  EXPECT_EQ(fmt::format("{}", *c.setup_token), "***");
  EXPECT_EQ(c.log_level, "debug");
}

TEST(Config, RejectsABadPortNamingTheVariable) {
  for (const char* bad : {"abc", "70000", "65536", "-1", "3000x", " 3000", "1e3"}) {
    SCOPED_TRACE(bad);
    const auto message = error_message_of([&] { Config::from_env(Env::from_map({{"PORT", bad}})); });
    EXPECT_NE(message.find("PORT"), std::string::npos);
    EXPECT_EQ(error_code_of([&] { Config::from_env(Env::from_map({{"PORT", bad}})); }), Errc::validation);
  }
  EXPECT_EQ(Config::from_env(Env::from_map({{"PORT", "65535"}})).port, 65535);
}

TEST(Config, RejectsAnUnknownDbType) {
  const auto message = error_message_of([] { Config::from_env(Env::from_map({{"DB_TYPE", "mysql"}})); });
  EXPECT_NE(message.find("DB_TYPE"), std::string::npos);
  EXPECT_EQ(Config::from_env(Env::from_map({{"DB_TYPE", "sqlite"}})).db_type, DatabaseType::sqlite);
}

}  // namespace
}  // namespace ds
